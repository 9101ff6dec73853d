// SPDX-License-Identifier: Apache-2.0
// The coap:// URIs a device can be given for a listener (issue 13 item 17). A socket bound to
// 0.0.0.0 or :: accepts on every interface, but a device cannot send to "0.0.0.0": each interface's
// own address is listed instead.
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os'
import type { Listener, ListenerUri } from '../contract/system'

type Interfaces = Record<string, NetworkInterfaceInfo[] | undefined>

export function listenerUris(listeners: readonly Listener[], interfaces: Interfaces = networkInterfaces()): ListenerUri[] {
  const out: ListenerUri[] = []
  for (const l of listeners) {
    const scheme = l.transport.startsWith('coaps') ? 'coaps' : 'coap'
    const uri = (address: string) => `${scheme}://${address.includes(':') ? `[${address}]` : address}:${l.port}`
    const wildcard = l.address === '0.0.0.0' || l.address === '::'
    if (!wildcard) {
      out.push({ role: l.role, uri: uri(l.address), interface: null, loopback: isLoopback(l.address) })
      continue
    }
    // "::" is dual-stack on the platforms we ship for: it takes IPv4 devices too.
    const families = l.address === '::' ? ['IPv4', 'IPv6'] : ['IPv4']
    const found: ListenerUri[] = []
    for (const [name, addrs] of Object.entries(interfaces)) {
      for (const a of addrs ?? []) {
        if (!families.includes(a.family)) continue
        found.push({ role: l.role, uri: uri(a.address), interface: name, loopback: a.internal })
      }
    }
    // Link-local IPv6 needs a zone a device does not know; keep it only when nothing else exists.
    const usable = found.filter((u) => !/^coaps?:\/\/\[fe80:/i.test(u.uri))
    const chosen = usable.length > 0 ? usable : found
    // Addresses other machines can reach come first; loopback last.
    out.push(...chosen.filter((u) => !u.loopback), ...chosen.filter((u) => u.loopback))
  }
  return out
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.')
}
