// SPDX-License-Identifier: Apache-2.0
// DTLS record framing (RFC 6347 §4.1, §4.1.1; RFC 9146 §4): the records of dtls-facts §4.5 and
// §5.6, each malformation the decoder names, and a fuzz run: it never throws, what it returns
// holds together, and any record list survives encode → decode.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ContentType, decodeRecords, DTLS_1_0, DTLS_1_2, encodeRecord, encodeRecords, MAX_RECORD_FRAGMENT, MAX_SEQUENCE, type DtlsRecord
} from '../../../src-main/core/dtls/record'
import { hex, toHex } from './helpers'

const CCM8_RECORD = '17 fefd 0001 000000000001 001b 0001000000000001 3f9935dfc6831aea4d6925 800916c4747660a3'
const CID_RECORD = '19 fefd 0001 000000000001 a1b2c3d4 0030 0001000000000001 3165cbc4ee629f8a75d1a1ccf6ef153ce66fd8ed5105a47b7ed84a848810c850 0d4c5ebc06b1adc9'

function rules(d: Uint8Array, cidLength?: number): string[] {
  return decodeRecords(d, cidLength === undefined ? {} : { cidLength }).violations.map((v) => v.rule)
}

describe('record header (RFC 6347 §4.1)', () => {
  it('dtls-facts §4.5: an application_data record at epoch 1, seq 1', () => {
    const d = hex(CCM8_RECORD)
    const { records, violations } = decodeRecords(d)
    expect(violations).toEqual([])
    expect(records).toHaveLength(1)
    const r = records[0]!
    expect([r.type, r.version, r.epoch, r.sequence, r.fragment.length, r.offset, r.size]).toEqual([23, DTLS_1_2, 1, 1, 27, 0, 40])
    expect(toHex(encodeRecord(r))).toBe(toHex(d))
  })

  it('RFC 6347 §4.1.1: several records in one datagram (CCS then an encrypted Finished)', () => {
    const ccs: DtlsRecord = { type: ContentType.changeCipherSpec, version: DTLS_1_2, epoch: 0, sequence: 3, fragment: hex('01') }
    const fin: DtlsRecord = { type: ContentType.handshake, version: DTLS_1_2, epoch: 1, sequence: 0, fragment: new Uint8Array(40).fill(0x5a) }
    const d = encodeRecords([ccs, fin])
    const { records, violations } = decodeRecords(d)
    expect(violations).toEqual([])
    expect(records.map((r) => [r.type, r.epoch, r.sequence, r.offset])).toEqual([[20, 0, 3, 0], [22, 1, 0, 14]])
  })

  it('RFC 6347 §4.2.1: DTLS 1.0 version bytes (first ClientHellos) are accepted', () => {
    const d = encodeRecord({ type: 22, version: DTLS_1_0, epoch: 0, sequence: 0, fragment: hex('01') })
    expect(decodeRecords(d).records[0]!.version).toBe(DTLS_1_0)
  })

  it('48-bit sequence numbers are exact (RFC 6347 §4.1)', () => {
    const r: DtlsRecord = { type: 23, version: DTLS_1_2, epoch: 0xffff, sequence: MAX_SEQUENCE, fragment: new Uint8Array(0) }
    const d = encodeRecord(r)
    expect(toHex(d)).toBe('17fefdffffffffffffffff0000')
    expect(decodeRecords(d).records[0]!.sequence).toBe(MAX_SEQUENCE)
    expect(decodeRecords(hex('17fefd0001 000100000000 0000')).records[0]!.sequence).toBe(2 ** 32)
    expect(decodeRecords(hex('17fefd0001 010000000000 0000')).records[0]!.sequence).toBe(2 ** 40)
  })
})

describe('tls12_cid records (RFC 9146 §4)', () => {
  it('dtls-facts §5.6: the CID sits between sequence_number and length', () => {
    const d = hex(CID_RECORD)
    const { records, violations } = decodeRecords(d, { cidLength: 4 })
    expect(violations).toEqual([])
    const r = records[0]!
    expect(r.type).toBe(25)
    expect(toHex(r.cid!)).toBe('a1b2c3d4')
    expect(r.fragment.length).toBe(0x30)
    expect(toHex(encodeRecord(r))).toBe(toHex(d))
  })

  it('RFC 9146 §3: without a negotiated CID length a type-25 record cannot be framed', () => {
    expect(rules(hex(CID_RECORD))).toEqual(['dtls.record-cid-not-negotiated'])
    expect(rules(hex(CID_RECORD), 0)).toEqual(['dtls.record-cid-not-negotiated'])
  })

  it('RFC 9146 §3: a CID record at epoch 0 is skipped, the next record is read', () => {
    const bad = encodeRecord({ type: 25, version: DTLS_1_2, epoch: 0, sequence: 0, cid: hex('0102'), fragment: hex('aa') })
    const good = encodeRecord({ type: 25, version: DTLS_1_2, epoch: 1, sequence: 0, cid: hex('0102'), fragment: hex('bb') })
    const { records, violations } = decodeRecords(new Uint8Array([...bad, ...good]), { cidLength: 2 })
    expect(violations.map((v) => v.rule)).toEqual(['dtls.record-cid-epoch-zero'])
    expect(records.map((r) => toHex(r.fragment))).toEqual(['bb'])
  })

  it('plain records still decode when a CID length is set (the handshake runs at epoch 0)', () => {
    expect(decodeRecords(hex(CCM8_RECORD), { cidLength: 4 }).records).toHaveLength(1)
  })
})

describe('malformed datagrams give violations, never exceptions (RFC 6347 §4.1.2.7)', () => {
  it('truncated header', () => {
    const v = decodeRecords(hex('17fefd0001000000')).violations
    expect(v.map((x) => [x.rule, x.offset])).toEqual([['dtls.record-truncated-header', 0]])
    expect(rules(hex(CID_RECORD).subarray(0, 15), 4)).toEqual(['dtls.record-truncated-header'])
  })

  it('length beyond the datagram: the records before it stand', () => {
    const first = encodeRecord({ type: 21, version: DTLS_1_2, epoch: 0, sequence: 0, fragment: hex('0100') })
    const d = new Uint8Array([...first, ...hex(CCM8_RECORD).subarray(0, 30)])
    const { records, violations } = decodeRecords(d)
    expect(records).toHaveLength(1)
    expect(violations.map((x) => [x.rule, x.offset])).toEqual([['dtls.record-length-overrun', first.length + 11]])
  })

  it('unknown content type, DTLS 1.3 ack and unified header stop the datagram', () => {
    expect(rules(hex('1ffefd 0001 000000000001 0000'))).toEqual(['dtls.record-unknown-type'])
    const ack = decodeRecords(hex('1afefd 0001 000000000001 0000')).violations[0]!
    expect(ack.message).toMatch(/DTLS 1\.3/)
    expect(decodeRecords(hex('2f 0001 0002')).violations[0]!.message).toMatch(/unified header/)
  })

  it('bad version: that record is skipped, the next one is read', () => {
    const bad = encodeRecord({ type: 23, version: 0x0303, epoch: 1, sequence: 0, fragment: hex('aa') })
    const d = new Uint8Array([...bad, ...hex(CCM8_RECORD)])
    const { records, violations } = decodeRecords(d)
    expect(violations.map((x) => [x.rule, x.offset])).toEqual([['dtls.record-version', 1]])
    expect(records.map((r) => r.offset)).toEqual([bad.length])
  })

  it('RFC 5246 §6.2.3: a fragment over 2^14 + 2048 bytes is record_overflow', () => {
    const big = encodeRecord({ type: 23, version: DTLS_1_2, epoch: 1, sequence: 0, fragment: new Uint8Array(MAX_RECORD_FRAGMENT + 1) })
    expect(rules(big)).toEqual(['dtls.record-overflow'])
    const ok = encodeRecord({ type: 23, version: DTLS_1_2, epoch: 1, sequence: 0, fragment: new Uint8Array(MAX_RECORD_FRAGMENT) })
    expect(rules(ok)).toEqual([])
  })

  it('an empty datagram holds no records and no violations', () => {
    expect(decodeRecords(new Uint8Array(0))).toEqual({ records: [], violations: [] })
  })
})

describe('encoder refuses what the format cannot carry', () => {
  const base: DtlsRecord = { type: 23, version: DTLS_1_2, epoch: 1, sequence: 0, fragment: new Uint8Array(0) }
  it.each([
    ['epoch over 16 bits', { epoch: 0x10000 }],
    ['sequence over 48 bits', { sequence: 2 ** 48 }],
    ['negative sequence', { sequence: -1 }],
    ['fragment over 16 bits', { fragment: new Uint8Array(0x10000) }],
    ['CID on a non-CID type', { cid: hex('01') }],
    ['type 25 without CID', { type: 25 }],
    ['empty CID', { type: 25, cid: new Uint8Array(0) }]
  ])('%s', (_name, patch) => {
    expect(() => encodeRecord({ ...base, ...patch } as DtlsRecord)).toThrow(RangeError)
  })
})

// ---------------------------------------------------------------------------------------------
// Fuzz

const RULES = new Set([
  'dtls.record-unknown-type', 'dtls.record-cid-not-negotiated', 'dtls.record-truncated-header',
  'dtls.record-length-overrun', 'dtls.record-version', 'dtls.record-overflow', 'dtls.record-cid-epoch-zero'
])

function recordArb(cidLength: number): fc.Arbitrary<DtlsRecord> {
  return fc.record({
    type: cidLength > 0 ? fc.constantFrom(20, 21, 22, 23, 24, 25) : fc.constantFrom(20, 21, 22, 23, 24),
    version: fc.constantFrom(DTLS_1_2, DTLS_1_0),
    epoch: fc.integer({ min: 1, max: 0xffff }),
    sequence: fc.integer({ min: 0, max: MAX_SEQUENCE }),
    cid: fc.uint8Array({ minLength: Math.max(cidLength, 1), maxLength: Math.max(cidLength, 1) }),
    fragment: fc.uint8Array({ maxLength: 60 })
  }).map(({ cid, ...r }) => (r.type === 25 ? { ...r, cid } : r))
}

describe('fuzz (RFC 6347 §4.1.2.7: bad input is data)', () => {
  it('any record list round-trips through one datagram', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 16 }).chain((c) => fc.tuple(fc.constant(c), fc.array(recordArb(c), { maxLength: 6 }))), ([cidLength, list]) => {
        const d = encodeRecords(list)
        const { records, violations } = decodeRecords(d, { cidLength })
        expect(violations).toEqual([])
        expect(records.map(({ offset: _o, size: _s, ...r }) => ({ ...r, fragment: toHex(r.fragment), cid: r.cid && toHex(r.cid) })))
          .toEqual(list.map((r) => ({ ...r, fragment: toHex(r.fragment), cid: r.cid && toHex(r.cid) })))
      }),
      { numRuns: 2000 }
    )
  })

  it('random and mutated datagrams never throw, and what comes back is consistent', () => {
    const mutated = fc.tuple(fc.array(recordArb(4), { minLength: 1, maxLength: 4 }), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 4 }), fc.nat())
      .map(([list, flips, cut]) => {
        const d = encodeRecords(list)
        for (const [i, b] of flips) d[i % d.length] = b
        return d.subarray(0, d.length - (cut % 3 === 0 ? cut % Math.max(d.length, 1) : 0))
      })
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 120 }), mutated), fc.constantFrom(0, 4, 8), (d, cidLength) => {
        const { records, violations } = decodeRecords(d, { cidLength })
        let covered = 0
        for (const r of records) {
          if (r.offset < covered || r.offset + r.size > d.length) throw new Error(`record out of place in ${toHex(d)}`)
          covered = r.offset + r.size
          if (toHex(encodeRecord(r)) !== toHex(d.subarray(r.offset, r.offset + r.size))) throw new Error(`not re-encodable: ${toHex(d)}`)
        }
        for (const v of violations) {
          if (!RULES.has(v.rule)) throw new Error(`unknown rule ${v.rule}`)
          if (v.offset < 0 || v.offset >= Math.max(d.length, 1)) throw new Error(`offset ${v.offset} in ${toHex(d)}`)
        }
      }),
      { numRuns: 20000 }
    )
  })
})
