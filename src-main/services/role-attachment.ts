// SPDX-License-Identifier: Apache-2.0
// Puts the Server and Bootstrap Server roles on a further CoAP endpoint (a DTLS listener, a
// serial line): uplink requests are routed by path (/bs and /bspack to the Bootstrap Server, the
// rest to the Server), and each role reaches the endpoint's devices over it.
import type { CoapEndpoint } from '../core/coap/endpoint'
import { coapDeviceLink, serveUplink } from '../core/lwm2m/server/coap-binding'
import type { UplinkRequest, UplinkResponse } from '../core/lwm2m/server/messages'
import type { RoutedDeviceLink } from '../core/lwm2m/server/routed-device-link'

export interface RoleHandle {
  handle(req: UplinkRequest, accept: number | null): UplinkResponse
  readonly links: RoutedDeviceLink
}

export interface AttachedRoles {
  readonly server?: RoleHandle | null
  readonly bootstrap?: RoleHandle | null
}

const NOT_FOUND = 0x84
const BOOTSTRAP_PATHS = new Set(['bs', 'bspack'])

/** Serves both roles on `endpoint`, whose peers' keys start with `transport`; returns the detach function. */
export function attachEndpoint(endpoint: CoapEndpoint, transport: string, roles: AttachedRoles): () => void {
  const link = coapDeviceLink(endpoint)
  const removers = [roles.server, roles.bootstrap].filter((r) => r != null).map((r) => r.links.add(transport, link))
  serveUplink(endpoint, (req, accept) => {
    const role = BOOTSTRAP_PATHS.has(req.path[0] ?? '') ? roles.bootstrap : roles.server
    return role ? role.handle(req, accept) : { code: NOT_FOUND }
  })
  return () => {
    for (const remove of removers) remove()
  }
}
