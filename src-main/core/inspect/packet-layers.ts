// SPDX-License-Identifier: Apache-2.0
// From a captured link-layer packet to the UDP datagram inside: Ethernet (with 802.1Q tags),
// Linux cooked v1 (SLL) and v2 (SLL2), raw IP, BSD loopback/null; IPv4 and IPv6 (extension
// headers skipped); UDP. What cannot be read is said in `problem`; nothing here throws.

/** LINKTYPE_* values (tcpdump.org link-layer header types). */
export const LinkType = { null: 0, ethernet: 1, raw: 101, loop: 108, linuxSll: 113, ipv4: 228, ipv6: 229, linuxSll2: 276, rawAlt: 12, rawAlt2: 14 } as const

export interface UdpDatagram {
  readonly srcAddress: string
  readonly dstAddress: string
  readonly srcPort: number
  readonly dstPort: number
  readonly payload: Uint8Array
  /** The UDP length says more than the capture holds (snap length or a cut file). */
  readonly truncated: boolean
}

export type LayerResult =
  | { readonly kind: 'udp'; readonly udp: UdpDatagram }
  /** Not UDP over IP (ARP, TCP, ICMP, ...): skipped silently by importers. */
  | { readonly kind: 'other'; readonly what: string }
  | { readonly kind: 'bad'; readonly problem: string }

const u16 = (b: Uint8Array, at: number): number => ((b[at] as number) << 8) | (b[at + 1] as number)

/** The UDP datagram in one packet of link type `linkType`. */
export function udpOf(linkType: number, data: Uint8Array): LayerResult {
  switch (linkType) {
    case LinkType.ethernet: {
      if (data.length < 14) return { kind: 'bad', problem: `Ethernet header cut short (${data.length} of 14 bytes)` }
      let at = 12
      let type = u16(data, at)
      while ((type === 0x8100 || type === 0x88a8) && at + 6 <= data.length) {
        at += 4
        type = u16(data, at)
      }
      return ipOf(type, data.subarray(at + 2))
    }
    case LinkType.linuxSll:
      if (data.length < 16) return { kind: 'bad', problem: `Linux cooked (SLL) header cut short (${data.length} of 16 bytes)` }
      return ipOf(u16(data, 14), data.subarray(16))
    case LinkType.linuxSll2:
      if (data.length < 20) return { kind: 'bad', problem: `Linux cooked v2 (SLL2) header cut short (${data.length} of 20 bytes)` }
      return ipOf(u16(data, 0), data.subarray(20))
    case LinkType.raw:
    case LinkType.rawAlt:
    case LinkType.rawAlt2:
      return ipByVersion(data)
    case LinkType.ipv4:
      return ipv4(data)
    case LinkType.ipv6:
      return ipv6(data)
    case LinkType.null:
    case LinkType.loop: {
      if (data.length < 4) return { kind: 'bad', problem: 'loopback header cut short' }
      // DLT_NULL stores the family in the writer's byte order; DLT_LOOP in network order. Either
      // way the value is small, so read whichever end is non-zero.
      const le = (data[0] as number) | ((data[1] as number) << 8)
      const be = u16(data, 2)
      const family = le !== 0 ? le : be
      if (family === 2) return ipv4(data.subarray(4))
      if (family === 24 || family === 28 || family === 30 || family === 10) return ipv6(data.subarray(4))
      return { kind: 'other', what: `loopback family ${family}` }
    }
    default:
      return { kind: 'bad', problem: `link type ${linkType} is not supported (Ethernet, Linux cooked v1/v2, raw IP and loopback are)` }
  }
}

function ipOf(etherType: number, data: Uint8Array): LayerResult {
  if (etherType === 0x0800) return ipv4(data)
  if (etherType === 0x86dd) return ipv6(data)
  return { kind: 'other', what: `EtherType 0x${etherType.toString(16).padStart(4, '0')}` }
}

function ipByVersion(data: Uint8Array): LayerResult {
  if (data.length < 1) return { kind: 'bad', problem: 'empty raw IP packet' }
  const v = (data[0] as number) >> 4
  if (v === 4) return ipv4(data)
  if (v === 6) return ipv6(data)
  return { kind: 'bad', problem: `IP version ${v} is unknown` }
}

// A file repeats the same few thousand addresses: one string each, so keys built from them and
// the maps they index stay cheap (a string's hash is computed once).
const ipv4Text = new Map<number, string>()
function ipv4At(d: Uint8Array, at: number): string {
  const n = (((d[at] as number) << 24) | ((d[at + 1] as number) << 16) | ((d[at + 2] as number) << 8) | (d[at + 3] as number)) >>> 0
  let s = ipv4Text.get(n)
  if (s === undefined) {
    s = `${d[at]}.${d[at + 1]}.${d[at + 2]}.${d[at + 3]}`
    if (ipv4Text.size >= 1 << 20) ipv4Text.clear()
    ipv4Text.set(n, s)
  }
  return s
}

function ipv4(d: Uint8Array): LayerResult {
  if (d.length < 20) return { kind: 'bad', problem: `IPv4 header cut short (${d.length} of 20 bytes)` }
  if ((d[0] as number) >> 4 !== 4) return { kind: 'bad', problem: `IPv4 header says version ${(d[0] as number) >> 4}` }
  const ihl = ((d[0] as number) & 15) * 4
  if (ihl < 20 || ihl > d.length) return { kind: 'bad', problem: `IPv4 header length ${ihl} is impossible here` }
  const total = u16(d, 2)
  const frag = u16(d, 6)
  const proto = d[9] as number
  const src = ipv4At(d, 12)
  const dst = ipv4At(d, 16)
  if (proto !== 17) return { kind: 'other', what: `IP protocol ${proto}` }
  if ((frag & 0x1fff) !== 0 || (frag & 0x2000) !== 0) return { kind: 'bad', problem: `IPv4 fragment from ${src} (fragments are not reassembled)` }
  const end = total >= ihl && total <= d.length ? total : d.length
  return udp(src, dst, d.subarray(ihl, end), total > d.length)
}

function ipv6Text(d: Uint8Array, at: number): string {
  const groups: string[] = []
  for (let i = 0; i < 8; i++) groups.push(u16(d, at + 2 * i).toString(16))
  // The longest run of zero groups becomes "::" (RFC 5952 §4.2).
  let best = -1
  let bestLen = 1
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === '0') j++
    if (j - i > bestLen) {
      best = i
      bestLen = j - i
    }
    i = j
  }
  if (best < 0) return groups.join(':')
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`
}

function ipv6(d: Uint8Array): LayerResult {
  if (d.length < 40) return { kind: 'bad', problem: `IPv6 header cut short (${d.length} of 40 bytes)` }
  const payloadLength = u16(d, 4)
  let next = d[6] as number
  let at = 40
  const src = ipv6Text(d, 8)
  const dst = ipv6Text(d, 24)
  // Hop-by-hop, routing and destination options come before UDP; skip them.
  while (next === 0 || next === 43 || next === 60) {
    if (at + 2 > d.length) return { kind: 'bad', problem: 'IPv6 extension header cut short' }
    const len = ((d[at + 1] as number) + 1) * 8
    next = d[at] as number
    at += len
  }
  if (next === 44) return { kind: 'bad', problem: `IPv6 fragment from ${src} (fragments are not reassembled)` }
  if (next !== 17) return { kind: 'other', what: `IPv6 next header ${next}` }
  const end = Math.min(d.length, 40 + payloadLength)
  if (at > end) return { kind: 'bad', problem: 'IPv6 extension headers run past the packet' }
  return udp(src, dst, d.subarray(at, end), 40 + payloadLength > d.length)
}

function udp(src: string, dst: string, d: Uint8Array, ipTruncated: boolean): LayerResult {
  if (d.length < 8) return { kind: 'bad', problem: `UDP header cut short (${d.length} of 8 bytes)` }
  const length = u16(d, 4)
  if (length < 8) return { kind: 'bad', problem: `UDP length ${length} is below the header's 8 bytes` }
  const end = Math.min(length, d.length)
  return {
    kind: 'udp',
    udp: { srcAddress: src, dstAddress: dst, srcPort: u16(d, 0), dstPort: u16(d, 2), payload: d.subarray(8, end), truncated: ipTruncated || length > d.length }
  }
}

const keys = new Map<string, Map<number, string>>()

/** "udp:10.0.0.1:5683" / "udp:[::1]:5683", the peer keys the transports use (one string per peer). */
export function udpKey(address: string, port: number): string {
  let byPort = keys.get(address)
  if (byPort === undefined) {
    if (keys.size >= 1 << 20) keys.clear()
    byPort = new Map()
    keys.set(address, byPort)
  }
  let k = byPort.get(port)
  if (k === undefined) {
    k = address.includes(':') ? `udp:[${address}]:${port}` : `udp:${address}:${port}`
    byPort.set(port, k)
  }
  return k
}
