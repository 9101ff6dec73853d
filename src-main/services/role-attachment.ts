// SPDX-License-Identifier: Apache-2.0
// Puts the Server and Bootstrap Server roles on a further CoAP endpoint (a DTLS listener, a
// serial line): uplink requests are routed by path (/bs and /bspack to the Bootstrap Server, the
// rest to the Server), and each role reaches the endpoint's devices over it.
import type { CoapEndpoint } from '../core/coap/endpoint'
import { coapDeviceLink, serveUplink } from '../core/lwm2m/server/coap-binding'
import type { DeviceLink, UplinkRequest, UplinkResponse } from '../core/lwm2m/server/messages'
import type { RoutedDeviceLink } from '../core/lwm2m/server/routed-device-link'

export interface RoleHandle {
  handle(req: UplinkRequest, accept: number | null): UplinkResponse
  readonly links: RoutedDeviceLink
}

export interface AttachedRoles {
  readonly server?: RoleHandle | null
  readonly bootstrap?: RoleHandle | null
}

export type RoleName = 'server' | 'bootstrap'

const NOT_FOUND = 0x84
const BOOTSTRAP_PATHS = new Set(['bs', 'bspack'])

function roleFor(req: UplinkRequest): RoleName {
  return BOOTSTRAP_PATHS.has(req.path[0] ?? '') ? 'bootstrap' : 'server'
}

/** Serves both roles on `endpoint`, whose peers' keys start with `transport`; returns the detach function. */
export function attachEndpoint(endpoint: CoapEndpoint, transport: string, roles: AttachedRoles): () => void {
  const link = coapDeviceLink(endpoint)
  const removers = [roles.server, roles.bootstrap].filter((r) => r != null).map((r) => r.links.add(transport, link))
  serveUplink(endpoint, (req, accept) => {
    const role = roles[roleFor(req)]
    return role ? role.handle(req, accept) : { code: NOT_FOUND }
  })
  return () => {
    for (const remove of removers) remove()
  }
}

/**
 * Serves whichever roles run now on an endpoint that outlives them (a serial line stays open while
 * the listeners start, stop or restart): each uplink request goes to the role running when it
 * arrives, and sync() adds the endpoint to the links of roles that started and takes it out of
 * those that stopped, so downlink requests reach the device without reopening the line.
 */
export class LiveRoleAttachment {
  readonly #link: DeviceLink
  readonly #attached = new Map<RoleName, { links: RoutedDeviceLink; remove: () => void }>()
  #detached = false

  constructor(
    endpoint: CoapEndpoint,
    private readonly transport: string,
    private readonly roles: () => AttachedRoles
  ) {
    this.#link = coapDeviceLink(endpoint)
    serveUplink(endpoint, (req, accept) => {
      const name = roleFor(req)
      const role = this.roles()[name]
      if (!role || this.#detached) return { code: NOT_FOUND }
      // A role that started since the last sync() (nobody told us): its answers need the way back.
      if (this.#attached.get(name)?.links !== role.links) this.sync()
      return role.handle(req, accept)
    })
    this.sync()
  }

  /** The roles attached now, in a fixed order. */
  get names(): RoleName[] {
    return (['server', 'bootstrap'] as const).filter((n) => this.#attached.has(n))
  }

  /** Follows the roles running now; returns their names. */
  sync(): RoleName[] {
    if (this.#detached) return []
    const now = this.roles()
    for (const name of ['server', 'bootstrap'] as const) {
      const role = now[name] ?? null
      const had = this.#attached.get(name)
      if (had && had.links === role?.links) continue
      had?.remove()
      this.#attached.delete(name)
      if (role) this.#attached.set(name, { links: role.links, remove: role.links.add(this.transport, this.#link) })
    }
    return this.names
  }

  /** The line closed: no role reaches it any more, and it answers nothing. */
  detach(): void {
    this.#detached = true
    for (const a of this.#attached.values()) a.remove()
    this.#attached.clear()
  }
}
