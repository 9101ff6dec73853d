// SPDX-License-Identifier: Apache-2.0
// Is this a usable LwM2M Server (or Bootstrap-Server) URI (/0/x/0)? Checked by its form alone, no
// DNS: the device, not this machine, resolves it, often on another network. Schemes from T §6.8,
// §7 and §8 (facts §3.9). A placeholder left in a template (`<server-host>`) or the wildcard
// address 0.0.0.0 would provision devices with a server they can never reach, so both are problems.

export const LWM2M_SCHEMES = ['coap', 'coaps', 'coap+tcp', 'coaps+tcp', 'coap+uart', 'mqtt', 'mqtts', 'http', 'https'] as const
export type Lwm2mScheme = (typeof LWM2M_SCHEMES)[number]

export interface UriCheck {
  /** Why no device could use it; null when it can. */
  readonly problem: string | null
  /** Usable, but worth a look (e.g. a scheme this tool does not serve yet). */
  readonly warning: string | null
  readonly scheme: Lwm2mScheme | null
}

/**
 * `served` lists the schemes this tool's own servers answer today; others draw a warning only,
 * since the URI may well point at somebody else's server.
 */
export function checkServerUri(uri: string, served: readonly string[]): UriCheck {
  const fail = (problem: string, scheme: Lwm2mScheme | null = null): UriCheck => ({ problem, warning: null, scheme })
  if (uri.trim() === '') return fail('the server URI is empty')
  if (/[<>{}]/.test(uri)) return fail(`"${uri}" still holds a placeholder; put the real host in`)
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([/?#].*)?$/.exec(uri)
  if (!m) return fail(`"${uri}" is not a URI of the form scheme://host[:port]`)
  const scheme = (m[1] as string).toLowerCase()
  if (!(LWM2M_SCHEMES as readonly string[]).includes(scheme)) return fail(`"${scheme}" is not an LwM2M scheme (${LWM2M_SCHEMES.join(', ')})`)
  const s = scheme as Lwm2mScheme
  const authority = m[2] as string
  if (authority.includes('@')) return fail(`"${uri}": user information (…@) has no place in a server URI`, s)
  // coap+uart names a serial port, not a host (T §6.8): any non-empty name will do.
  if (s === 'coap+uart') {
    if (authority === '') return fail(`"${uri}" names no serial port`, s)
  } else {
    const hp = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(authority) as RegExpExecArray
    const host = hp[1] as string
    const port = hp[2]
    const hostProblem = checkHost(host)
    if (hostProblem) return fail(`"${uri}": ${hostProblem}`, s)
    if (port !== undefined && !(/^[0-9]{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535))
      return fail(`"${uri}": the port must be a number from 1 to 65535`, s)
  }
  const warning = served.includes(s) ? null : `"${s}" is a valid LwM2M scheme, but this workbench does not serve it yet (fine if the server is another one)`
  return { problem: null, warning, scheme: s }
}

function checkHost(host: string): string | null {
  if (host === '') return 'there is no host'
  if (host.startsWith('[')) {
    const a = host.slice(1, -1)
    if (!/^[0-9A-Fa-f:.]+$/.test(a) || !a.includes(':') || (a.match(/::/g) ?? []).length > 1) return `"${host}" is not an IPv6 address`
    if (/^[0:]+$/.test(a)) return 'the unspecified address [::] is no place a device can reach'
    return null
  }
  if (/^[0-9.]+$/.test(host)) {
    const parts = host.split('.')
    if (parts.length !== 4 || parts.some((p) => p === '' || Number(p) > 255 || (p.length > 1 && p.startsWith('0')))) return `"${host}" is not an IPv4 address`
    if (host === '0.0.0.0') return 'the wildcard address 0.0.0.0 is no place a device can reach'
    return null
  }
  // A DNS name (RFC 1123 labels); the last label is not all digits.
  if (host.length > 253) return 'the host name is longer than 253 characters'
  const labels = host.replace(/\.$/, '').split('.')
  for (const l of labels) {
    if (!/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l)) return `"${host}" is not a valid host name`
  }
  return null
}
