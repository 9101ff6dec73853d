// SPDX-License-Identifier: Apache-2.0
// Against DNS rebinding: a hostile page whose name the attacker re-points at 127.0.0.1 reaches us
// from the browser as a same-origin request, but its Host header still carries the attacker's
// name. Only our own names pass: loopback always, and this machine's addresses and hostname when
// we listen beyond loopback (where other machines legitimately reach us by them).
import { hostname, networkInterfaces } from 'node:os'
import { isIP } from 'node:net'

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]']

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '')
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'))
}

/** The host names (lowercase, IPv6 in brackets, no port) a request to this server may carry. */
export function allowedHostNames(boundHost: string): Set<string> {
  const names = new Set(LOOPBACK_NAMES)
  if (isLoopbackHost(boundHost)) return names
  const bracket = (a: string) => (isIP(a) === 6 ? `[${a}]` : a)
  names.add(bracket(boundHost.toLowerCase()))
  names.add(hostname().toLowerCase())
  for (const list of Object.values(networkInterfaces()))
    for (const i of list ?? []) names.add(bracket(i.address.replace(/%.*$/, '').toLowerCase()))
  return names
}

/** Null when the Host header names this server on `port`, else the reason for refusing. */
export function hostRefusal(header: string | undefined, names: ReadonlySet<string>, port: number): string | null {
  if (!header) return 'a Host header is required'
  const m = /^(\[[^\]]+\]|[^:]+)(?::([0-9]+))?$/.exec(header.toLowerCase())
  const name = m?.[1]
  const hostPort = m?.[2] !== undefined ? Number(m[2]) : 80
  if (name !== undefined && names.has(name) && hostPort === port) return null
  return `Host ${JSON.stringify(header)} is not a name of this server (DNS rebinding protection); open http://127.0.0.1:${port}/ or the URL lwm2m-wb serve printed`
}
