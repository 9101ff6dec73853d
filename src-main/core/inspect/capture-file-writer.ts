// SPDX-License-Identifier: Apache-2.0
// Writes frames as pcapng (or classic pcap) with synthesised IPv4/IPv6 and UDP headers (link type
// raw IP), so that Wireshark and tshark decode the CoAP/DTLS inside. A pcapng may carry a TLS key
// log in a Decryption Secrets Block before the packets, so DTLS decrypts without extra files.
import { LinkType } from './packet-layers'
import { SECRETS_TLS_KEY_LOG } from './capture-file-reader'

export interface ExportFrame {
  /** Milliseconds since the Unix epoch. */
  readonly at: number
  readonly srcAddress: string
  readonly srcPort: number
  readonly dstAddress: string
  readonly dstPort: number
  readonly payload: Uint8Array
}

function parseIpv4(a: string): number[] | null {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a)
  if (!m) return null
  const parts = m.slice(1).map(Number)
  return parts.every((x) => x <= 255) ? parts : null
}

function parseIpv6(a: string): number[] | null {
  const s = a.replace(/^\[|\]$/g, '').replace(/%.*$/, '')
  if (!s.includes(':')) return null
  let head = s
  let tail = ''
  const dbl = s.indexOf('::')
  if (dbl >= 0) {
    head = s.slice(0, dbl)
    tail = s.slice(dbl + 2)
  }
  const words = (t: string): number[] | null => {
    if (t === '') return []
    const out: number[] = []
    for (const g of t.split(':')) {
      if (g.includes('.')) {
        const v4 = parseIpv4(g)
        if (!v4) return null
        out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number))
      } else if (/^[0-9a-f]{1,4}$/i.test(g)) out.push(parseInt(g, 16))
      else return null
    }
    return out
  }
  const h = words(head)
  const t = words(tail)
  if (!h || !t) return null
  const fill = 8 - h.length - t.length
  if (fill < 0 || (dbl < 0 && fill !== 0)) return null
  const all = [...h, ...new Array<number>(fill).fill(0), ...t]
  return all.flatMap((w) => [w >> 8, w & 0xff])
}

function checksum(parts: readonly Uint8Array[]): number {
  let sum = 0
  for (const b of parts) {
    for (let i = 0; i + 1 < b.length; i += 2) sum += ((b[i] as number) << 8) | (b[i + 1] as number)
    if (b.length % 2 === 1) sum += (b[b.length - 1] as number) << 8
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  return ~sum & 0xffff
}

/** An IP packet holding the frame as UDP. Addresses that are not IP (e.g. a serial line) must be mapped by the caller. */
export function ipPacket(f: ExportFrame): Uint8Array {
  const s4 = parseIpv4(f.srcAddress)
  const d4 = parseIpv4(f.dstAddress)
  const udpLen = 8 + f.payload.length
  const udp = new Uint8Array(udpLen)
  udp[0] = f.srcPort >> 8
  udp[1] = f.srcPort & 0xff
  udp[2] = f.dstPort >> 8
  udp[3] = f.dstPort & 0xff
  udp[4] = udpLen >> 8
  udp[5] = udpLen & 0xff
  udp.set(f.payload, 8)
  if (s4 && d4) {
    const ip = new Uint8Array(20 + udpLen)
    ip[0] = 0x45
    ip[2] = (20 + udpLen) >> 8
    ip[3] = (20 + udpLen) & 0xff
    ip[6] = 0x40 // don't fragment
    ip[8] = 64
    ip[9] = 17
    ip.set(s4, 12)
    ip.set(d4, 16)
    const c = checksum([ip.subarray(0, 20)])
    ip[10] = c >> 8
    ip[11] = c & 0xff
    // UDP checksum 0 means "none" over IPv4 (RFC 768).
    ip.set(udp, 20)
    return ip
  }
  const s6 = parseIpv6(f.srcAddress) ?? v4mapped(s4)
  const d6 = parseIpv6(f.dstAddress) ?? v4mapped(d4)
  if (!s6 || !d6) throw new RangeError(`not an IP address pair: ${f.srcAddress} → ${f.dstAddress}`)
  const ip = new Uint8Array(40 + udpLen)
  ip[0] = 0x60
  ip[4] = udpLen >> 8
  ip[5] = udpLen & 0xff
  ip[6] = 17
  ip[7] = 64
  ip.set(s6, 8)
  ip.set(d6, 24)
  // IPv6 requires the UDP checksum (RFC 8200 §8.1), over a pseudo-header.
  const pseudo = new Uint8Array(40)
  pseudo.set(s6, 0)
  pseudo.set(d6, 16)
  pseudo[34] = udpLen >> 8
  pseudo[35] = udpLen & 0xff
  pseudo[39] = 17
  let c = checksum([pseudo, udp])
  if (c === 0) c = 0xffff
  udp[6] = c >> 8
  udp[7] = c & 0xff
  ip.set(udp, 40)
  return ip
}

function v4mapped(v4: number[] | null): number[] | null {
  return v4 ? [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4] : null
}

function le32(out: Uint8Array, at: number, v: number): void {
  out[at] = v & 0xff
  out[at + 1] = (v >>> 8) & 0xff
  out[at + 2] = (v >>> 16) & 0xff
  out[at + 3] = (v >>> 24) & 0xff
}

function block(type: number, body: Uint8Array): Uint8Array {
  const padded = (body.length + 3) & ~3
  const out = new Uint8Array(12 + padded)
  le32(out, 0, type)
  le32(out, 4, out.length)
  out.set(body, 8)
  le32(out, out.length - 4, out.length)
  return out
}

/** Section header and one raw-IP interface (microsecond stamps), plus the key log when given. */
export function pcapngHeader(keyLog?: string): Uint8Array[] {
  const shb = new Uint8Array(16)
  le32(shb, 0, 0x1a2b3c4d)
  shb[4] = 1 // major 1, minor 0
  shb.fill(0xff, 8, 16) // section length unknown
  const idb = new Uint8Array(8)
  idb[0] = LinkType.raw
  le32(idb, 4, 0) // no snap length limit
  const out = [block(0x0a0d0d0a, shb), block(1, idb)]
  if (keyLog !== undefined && keyLog.length > 0) {
    const text = new TextEncoder().encode(keyLog)
    const body = new Uint8Array(8 + text.length)
    le32(body, 0, SECRETS_TLS_KEY_LOG)
    le32(body, 4, text.length)
    body.set(text, 8)
    out.push(block(10, body))
  }
  return out
}

/** One Enhanced Packet Block on interface 0. */
export function pcapngPacket(f: ExportFrame): Uint8Array {
  const ip = ipPacket(f)
  const body = new Uint8Array(20 + ip.length)
  const us = Math.round(f.at * 1000)
  le32(body, 4, Math.floor(us / 2 ** 32))
  le32(body, 8, us >>> 0)
  le32(body, 12, ip.length)
  le32(body, 16, ip.length)
  body.set(ip, 20)
  return block(6, body)
}

/** Classic pcap global header, raw IP, microseconds. */
export function pcapHeader(): Uint8Array {
  const h = new Uint8Array(24)
  le32(h, 0, 0xa1b2c3d4)
  h[4] = 2
  h[6] = 4
  le32(h, 16, 262144)
  le32(h, 20, LinkType.raw)
  return h
}

export function pcapPacket(f: ExportFrame): Uint8Array {
  const ip = ipPacket(f)
  const out = new Uint8Array(16 + ip.length)
  const us = Math.round(f.at * 1000)
  le32(out, 0, Math.floor(us / 1e6))
  le32(out, 4, us % 1e6)
  le32(out, 8, ip.length)
  le32(out, 12, ip.length)
  out.set(ip, 16)
  return out
}
