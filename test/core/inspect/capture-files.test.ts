// SPDX-License-Identifier: Apache-2.0
// Issue 16 item 4 (pure part): pcap/pcapng written and read back, every link type we read, files
// that stop early report where, and the reader never throws on any bytes (fuzz).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CaptureFileReader, SECRETS_TLS_KEY_LOG, type CapturedPacket, type SecretsBlock } from '../../../src-main/core/inspect/capture-file-reader'
import { ipPacket, pcapHeader, pcapngHeader, pcapngPacket, pcapPacket, type ExportFrame } from '../../../src-main/core/inspect/capture-file-writer'
import { LinkType, udpOf } from '../../../src-main/core/inspect/packet-layers'
import { coap, GET } from './inspect-fixtures'

const frame = (over: Partial<ExportFrame> = {}): ExportFrame => ({ at: 1_700_000_000_123.456, srcAddress: '10.0.0.2', srcPort: 40000, dstAddress: '10.0.0.1', dstPort: 5683, payload: coap(GET, { path: '/3/0' }), ...over })

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

function read(file: Uint8Array, chunk = file.length): { packets: CapturedPacket[]; secrets: SecretsBlock[]; reader: CaptureFileReader } {
  const packets: CapturedPacket[] = []
  const secrets: SecretsBlock[] = []
  const reader = new CaptureFileReader((p) => packets.push({ ...p, data: p.data.slice() }), (s) => secrets.push(s))
  for (let i = 0; i < file.length; i += Math.max(chunk, 1)) reader.push(file.subarray(i, i + Math.max(chunk, 1)))
  reader.finish()
  return { packets, secrets, reader }
}

describe('pcapng and pcap round trip', () => {
  it('pcapng with a TLS key log secrets block, read in chunks of any size', () => {
    const file = concat([...pcapngHeader('CLIENT_RANDOM aa bb\n'), pcapngPacket(frame()), pcapngPacket(frame({ srcAddress: '::1', dstAddress: 'fe80::1', at: 5 }))])
    for (const chunk of [1, 7, 64, file.length]) {
      const { packets, secrets, reader } = read(file, chunk)
      expect(reader.stopped).toBeNull()
      expect(reader.format).toBe('pcapng')
      expect(secrets).toHaveLength(1)
      expect(secrets[0]?.secretsType).toBe(SECRETS_TLS_KEY_LOG)
      expect(new TextDecoder().decode(secrets[0]?.data)).toBe('CLIENT_RANDOM aa bb\n')
      expect(packets).toHaveLength(2)
      expect(packets[0]?.at).toBeCloseTo(1_700_000_000_123.456, 3)
      const u = udpOf(packets[0]?.linkType ?? -1, packets[0]?.data ?? new Uint8Array())
      expect(u).toMatchObject({ kind: 'udp', udp: { srcAddress: '10.0.0.2', srcPort: 40000, dstAddress: '10.0.0.1', dstPort: 5683, truncated: false } })
      const v6 = udpOf(packets[1]?.linkType ?? -1, packets[1]?.data ?? new Uint8Array())
      expect(v6).toMatchObject({ kind: 'udp', udp: { srcAddress: '::1', dstAddress: 'fe80::1' } })
    }
  })

  it('classic pcap', () => {
    const { packets, reader } = read(concat([pcapHeader(), pcapPacket(frame()), pcapPacket(frame())]))
    expect(reader.format).toBe('pcap')
    expect(packets.map((p) => p.number)).toEqual([1, 2])
    expect(packets[0]?.at).toBeCloseTo(1_700_000_000_123.456, 3)
  })
})

describe('link types', () => {
  const ip = ipPacket(frame())
  const eth = concat([new Uint8Array(12), new Uint8Array([0x81, 0x00, 0, 5, 0x08, 0x00]), ip])
  const sll = concat([new Uint8Array(14), new Uint8Array([0x08, 0x00]), ip])
  const sll2 = concat([new Uint8Array([0x08, 0x00]), new Uint8Array(18), ip])
  const nullLe = concat([new Uint8Array([2, 0, 0, 0]), ip])
  const loop = concat([new Uint8Array([0, 0, 0, 2]), ip])
  const cases: [string, number, Uint8Array][] = [
    ['Ethernet with an 802.1Q tag', LinkType.ethernet, eth], ['Linux cooked v1', LinkType.linuxSll, sll], ['Linux cooked v2', LinkType.linuxSll2, sll2],
    ['raw IP', LinkType.raw, ip], ['IPv4', LinkType.ipv4, ip], ['BSD null', LinkType.null, nullLe], ['loop', LinkType.loop, loop]
  ]
  for (const [name, lt, data] of cases) {
    it(name, () => {
      expect(udpOf(lt, data)).toMatchObject({ kind: 'udp', udp: { srcPort: 40000, dstPort: 5683 } })
    })
  }

  it('says what is wrong with a cut-short or foreign packet', () => {
    expect(udpOf(LinkType.ethernet, eth.subarray(0, 30))).toMatchObject({ kind: 'bad', problem: expect.stringMatching(/IPv4 header cut short/) })
    expect(udpOf(LinkType.raw, ip.subarray(0, ip.length - 3))).toMatchObject({ kind: 'udp', udp: { truncated: true } })
    expect(udpOf(147, ip)).toMatchObject({ kind: 'bad', problem: expect.stringMatching(/link type 147/) })
    const tcp = ip.slice()
    tcp[9] = 6
    expect(udpOf(LinkType.raw, tcp)).toEqual({ kind: 'other', what: 'IP protocol 6' })
  })
})

describe('files that cannot be read to the end', () => {
  it('a file that is not a capture names its first bytes at offset 0', () => {
    const { reader } = read(new TextEncoder().encode('hello world, not a pcap'))
    expect(reader.stopped).toEqual({ offset: 0, message: 'not a pcap or pcapng file (it starts with 0x68656c6c)' })
  })

  it('a cut-off last block keeps the packets before it and reports where reading stopped', () => {
    const head = concat(pcapngHeader())
    const p1 = pcapngPacket(frame())
    const file = concat([head, p1, pcapngPacket(frame())]).subarray(0, head.length + p1.length + 10)
    const { packets, reader } = read(file, 13)
    expect(packets).toHaveLength(1)
    expect(reader.stopped).toEqual({ offset: head.length + p1.length, message: expect.stringMatching(/ends inside a block/) })
  })

  it('a block whose trailing length disagrees stops there with its offset', () => {
    const head = concat(pcapngHeader())
    const p1 = pcapngPacket(frame()).slice()
    p1[p1.length - 4] = (p1[p1.length - 4] as number) ^ 0x10
    const { packets, reader } = read(concat([head, p1]))
    expect(packets).toHaveLength(0)
    expect(reader.stopped?.offset).toBe(head.length + p1.length - 4)
  })

  it('never throws and never loops on any bytes (fuzz)', () => {
    const good = concat([...pcapngHeader('x'), pcapngPacket(frame()), pcapngPacket(frame())])
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), fc.integer({ min: 1, max: 50 }), (junk, chunk) => {
      read(junk, chunk)
      const mutated = good.slice()
      for (let i = 0; i < junk.length && i < mutated.length; i += 7) mutated[(junk[i] as number) * 3 % mutated.length] = junk[i] as number
      const { packets } = read(mutated, chunk)
      for (const p of packets) udpOf(p.linkType, p.data)
    }), { numRuns: 3000 })
  })
})
