// SPDX-License-Identifier: Apache-2.0
// Is a Security URI (/0/x/0) this tool's own server? (issue 15 item 3) Yes when its host is one of
// this machine's addresses, its hostname or loopback, and its port is one of our DTLS listeners'
// for that role. A bootstrap run that hands a device credentials for such a URI puts them into the
// credential store, so the device can register right after.
import { hostname, networkInterfaces } from 'node:os'
import type { SecurityRole } from '../contract/security'

export interface OwnListener {
  readonly role: SecurityRole
  readonly address: string
  readonly port: number
}

export interface OwnServerOptions {
  readonly hostname?: string
  readonly addresses?: readonly string[]
}

/** The role of our listener the URI points at, or null when it is somebody else's server. */
export function ownServerRole(uri: string, listeners: readonly OwnListener[], opts: OwnServerOptions = {}): SecurityRole | null {
  const m = /^coaps(?:\+tcp)?:\/\/(\[[^\]]+\]|[^:/?#]+)(?::([0-9]{1,5}))?(?:[/?#].*)?$/i.exec(uri.trim())
  if (!m) return null
  const host = (m[1] as string).replace(/^\[|\]$/g, '').toLowerCase()
  const port = m[2] === undefined ? 5684 : Number(m[2])
  if (!isOwnHost(host, opts)) return null
  const l = listeners.find((x) => x.port === port)
  return l ? l.role : null
}

function isOwnHost(host: string, opts: OwnServerOptions): boolean {
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\./.test(host)) return true
  if (host === (opts.hostname ?? hostname()).toLowerCase()) return true
  const addresses =
    opts.addresses ??
    Object.values(networkInterfaces())
      .flat()
      .map((a) => a?.address ?? '')
  return addresses.some((a) => a.toLowerCase() === host)
}
