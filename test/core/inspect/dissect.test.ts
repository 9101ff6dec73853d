// SPDX-License-Identifier: Apache-2.0
// Issue 16 item 2: the dissectors name every LwM2M operation (LwM2M 1.2 Transport §6), decode
// every content format into typed records with model names (Core §7.5), explain response codes
// and flag violations, over hand-built frames; field ranges always lie inside the frame.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { dissectFrame, type Dissection } from '../../../src-main/core/inspect/dissect'
import type { Field } from '../../../src-main/core/inspect/field'
import { encodePayload } from '../../../src-main/core/lwm2m/formats/all'
import { CF } from '../../../src-main/core/lwm2m/content-format'
import type { Lwm2mRecord } from '../../../src-main/core/lwm2m/record'
import { encodeRecord } from '../../../src-main/core/dtls/record'
import { encodeHandshakeFragments, HandshakeType } from '../../../src-main/core/dtls/handshake-header'
import { coap, c, GET, POST, PUT, DELETE, FETCH, IPATCH, shippedModels, text } from './inspect-fixtures'

const models = shippedModels()
const senml = (recs: object[]): string => JSON.stringify(recs)

function find(fields: readonly Field[], label: string): Field | undefined {
  for (const f of fields) {
    if (f.label === label) return f
    const inner = f.children ? find(f.children, label) : undefined
    if (inner) return inner
  }
  return undefined
}

function all(fields: readonly Field[]): Field[] {
  return fields.flatMap((f) => [f, ...all(f.children ?? [])])
}

function rangesInside(d: Dissection, length: number): void {
  for (const f of all(d.fields)) {
    if (f.source === 'plain') continue
    expect(f.start).toBeGreaterThanOrEqual(0)
    expect(f.end).toBeLessThanOrEqual(length)
    expect(f.start).toBeLessThanOrEqual(f.end)
  }
}

// [operation word, frame, is the sender a Bootstrap-Server in session]
const OPERATION_FRAMES: [string, Uint8Array, boolean][] = [
  ['register', coap(POST, { path: '/rd', query: ['ep=dev1', 'lt=300', 'lwm2m=1.2', 'b=U'], cf: CF.LINK, payload: '</1/0>,</3/0>' }), false],
  ['update', coap(POST, { path: '/rd/5a3f', query: ['lt=600'] }), false],
  ['deregister', coap(DELETE, { path: '/rd/5a3f' }), false],
  ['bootstrap-request', coap(POST, { path: '/bs', query: ['ep=dev1', 'pct=11544'] }), false],
  ['bootstrap-pack', coap(GET, { path: '/bspack', query: ['ep=dev1'], accept: CF.SENML_CBOR }), false],
  ['bs-discover', coap(GET, { path: '/', accept: CF.LINK }), true],
  ['bs-read', coap(GET, { path: '/1', accept: CF.TLV }), true],
  ['bs-write', coap(PUT, { path: '/1/0', cf: CF.SENML_JSON, payload: senml([{ n: '/1/0/1', v: 300 }]) }), true],
  ['bs-delete', coap(DELETE, { path: '/0' }), true],
  ['bs-finish', coap(POST, { path: '/bs' }), true],
  ['read', coap(GET, { path: '/3/0/1' }), false],
  ['read-composite', coap(FETCH, { path: '/', cf: CF.SENML_JSON, accept: CF.SENML_JSON, payload: senml([{ n: '/3/0/0' }, { n: '/3/0/9' }]) }), false],
  ['discover', coap(GET, { path: '/3/0', accept: CF.LINK }), false],
  ['write', coap(PUT, { path: '/3/0/13', cf: CF.TEXT, payload: '1700000000' }), false],
  ['write-composite', coap(IPATCH, { path: '/', cf: CF.SENML_JSON, payload: senml([{ n: '/3/0/13', v: 1700000000 }]) }), false],
  ['write-attributes', coap(PUT, { path: '/3/0/9', query: ['pmin=10', 'pmax=60'] }), false],
  ['execute', coap(POST, { path: '/3/0/4' }), false],
  ['create', coap(POST, { path: '/3303', cf: CF.SENML_JSON, payload: senml([{ n: '/3303/0/5700', v: 21.5 }]) }), false],
  ['delete', coap(DELETE, { path: '/3303/0' }), false],
  ['observe', coap(GET, { path: '/3/0/9', observe: 0 }), false],
  ['observe-composite', coap(FETCH, { path: '/', observe: 0, cf: CF.SENML_JSON, payload: senml([{ n: '/3/0/9' }]) }), false],
  ['cancel-observe', coap(GET, { path: '/3/0/9', observe: 1 }), false],
  ['send', coap(POST, { path: '/dp', cf: CF.SENML_JSON, payload: senml([{ n: '/3/0/9', v: 87 }]) }), false]
]

describe('LwM2M operations (Transport §6)', () => {
  for (const [op, frame, bootstrap] of OPERATION_FRAMES) {
    it(`names ${op}`, () => {
      const d = dissectFrame(frame, { models, bootstrap })
      expect(d.lwm2m?.op).toBe(op)
      expect(d.problems).toBe(0)
      rangesInside(d, frame.length)
    })
  }

  it('names the endpoint, the parameters and the registered objects of a Register', () => {
    const d = dissectFrame(OPERATION_FRAMES[0]?.[1] as Uint8Array, { models })
    expect(d.lwm2m?.endpoint).toBe('dev1')
    expect(find(d.fields, 'Parameter lt')?.value).toBe('300')
    expect(d.lwm2m?.records.map((r) => r.path)).toEqual([[1, 0], [3, 0]])
    expect(d.summary).toBe('Register dev1 2 records')
  })

  it('names a notification and decodes its payload against the observed path', () => {
    const frame = coap(c(2, 5), { type: 'NON', observe: 12, cf: CF.TEXT, payload: '87' })
    const d = dissectFrame(frame, { models, request: { op: 'observe', segments: ['3', '0', '9'] }, notification: true })
    expect(d.lwm2m?.op).toBe('notify')
    expect(d.summary).toContain('/3/0/9 Device › Battery Level')
    expect(d.lwm2m?.records[0]?.value).toEqual({ type: 'integer', value: 87 })
    expect(find(d.fields, 'Observe')?.value).toBe('12')
  })

  it('explains a response code for its operation (Register 4.03, Read 4.04)', () => {
    const forbidden = dissectFrame(coap(c(4, 3)), { request: { op: 'register', segments: ['rd'] } })
    expect(find(forbidden.fields, 'Result')?.value).toBe('4.03 Forbidden: the server refuses this endpoint')
    const missing = dissectFrame(coap(c(4, 4)), { request: { op: 'read', segments: ['3', '7'] } })
    expect(find(missing.fields, 'Result')?.value).toBe('4.04 Not Found: the target does not exist')
  })

  it('flags a Register without ep=, a 2.01 without Location-Path, and a Read answered 2.04', () => {
    const reg = dissectFrame(coap(POST, { path: '/rd', query: ['lwm2m=1.2'] }))
    expect(reg.lwm2m?.problems.map((p) => p.rule)).toEqual(['lwm2m.register-no-endpoint'])
    const created = dissectFrame(coap(c(2, 1)), { request: { op: 'register', segments: ['rd'] } })
    expect(created.lwm2m?.problems.map((p) => p.rule)).toEqual(['lwm2m.register-no-location'])
    const wrong = dissectFrame(coap(c(2, 4)), { request: { op: 'read', segments: ['3', '0'] } })
    expect(wrong.lwm2m?.problems.map((p) => p.rule)).toEqual(['lwm2m.unexpected-success-code'])
    expect(find(wrong.fields, 'Violation')?.problem?.section).toBe('LwM2M 1.2 Transport §6')
  })

  it('flags a payload without Content-Format', () => {
    const d = dissectFrame(coap(c(2, 5), { payload: 'x' }), { request: { op: 'read', segments: ['3', '0', '0'] } })
    expect(d.lwm2m?.problems.map((p) => p.rule)).toEqual(['lwm2m.payload-no-content-format'])
  })
})

describe('content formats (Core §7.5) decode into typed records with model names', () => {
  const battery: Lwm2mRecord[] = [{ path: [3, 0, 9], value: { type: 'integer', value: 87 } }]
  const packagePath = [5, 0, 0] as const
  const cases: [string, number, readonly Lwm2mRecord[], string][] = [
    ['text', CF.TEXT, battery, 'integer: 87'],
    ['opaque', CF.OPAQUE, [{ path: packagePath, value: { type: 'opaque', value: new Uint8Array([1, 2]) } }], 'opaque: 0x0102 (2 B)'],
    ['cbor', CF.CBOR, battery, 'integer: 87'],
    ['tlv', CF.TLV, battery, 'integer: 87'],
    ['senml-json', CF.SENML_JSON, battery, 'integer: 87'],
    ['senml-cbor', CF.SENML_CBOR, battery, 'integer: 87'],
    ['lwm2m-json', CF.LWM2M_JSON, battery, 'integer: 87'],
    ['lwm2m-cbor', CF.LWM2M_CBOR, battery, 'integer: 87'],
    ['senml-etch-json', CF.SENML_ETCH_JSON, battery, 'integer: 87'],
    ['senml-etch-cbor', CF.SENML_ETCH_CBOR, battery, 'integer: 87']
  ]
  for (const [name, cf, records, value] of cases) {
    it(`${name} (${cf})`, () => {
      const path = (records[0] as Lwm2mRecord).path
      const payload = encodePayload(cf, records, { path, models })
      const frame = coap(c(2, 5), { cf, payload })
      const d = dissectFrame(frame, { models, request: { op: 'read', segments: path.map(String) } })
      expect(d.problems).toBe(0)
      const rec = find(d.fields, path[0] === 5 ? '/5/0/0 Firmware Update › Package' : '/3/0/9 Device › Battery Level')
      expect(rec?.value).toBe(value)
      // The record points at the payload's bytes.
      expect(frame[(rec?.start ?? 0) - 1]).toBe(0xff)
      rangesInside(d, frame.length)
    })
  }

  it('link format (40) in a Discover answer', () => {
    const frame = coap(c(2, 5), { cf: CF.LINK, payload: '</3/0>;pmin=10,</3/0/9>' })
    const d = dissectFrame(frame, { models, request: { op: 'discover', segments: ['3', '0'] } })
    expect(d.lwm2m?.records).toHaveLength(2)
    expect(find(d.fields, '/3/0/9 Device › Battery Level')?.value).toBe('corelnk: "</3/0/9>"')
  })

  it('a payload the format decoder refuses shows its violations at the payload bytes', () => {
    const frame = coap(c(2, 5), { cf: CF.SENML_JSON, payload: '[{"n":' })
    const d = dissectFrame(frame, { request: { op: 'read', segments: ['3', '0'] } })
    const v = find(d.fields, 'Violation')
    expect(v?.problem?.rule).toMatch(/^(senml|json)\./)
    expect(v?.start).toBeGreaterThan(frame.indexOf(0xff))
  })
})

describe('CoAP layer (RFC 7252 §3)', () => {
  it('names every option with its value, Block as NUM/M/size, formats by name', () => {
    const frame = coap(GET, { path: '/5/0/0', accept: CF.TLV })
    const d = dissectFrame(coap(c(2, 5), { cf: CF.OPAQUE, payload: new Uint8Array(16) }))
    expect(find(d.fields, 'Content-Format')?.value).toBe('42 (opaque)')
    const g = dissectFrame(frame)
    expect(find(g.fields, 'Accept')?.value).toBe('11542 (tlv)')
    expect(find(g.fields, 'Token')?.value).toBe('abcd')
    expect(find(g.fields, 'Message ID')?.value).toBe('4660 (0x1234)')
  })

  it('decodes Block2 (RFC 7959 §2.2)', () => {
    // ACK 2.05, MID 1, no token; Block2 (23) = 0x1a: NUM 1, M 1, SZX 2 (64 B).
    const frame = new Uint8Array([0x60, 0x45, 0x00, 0x01, 0xd1, 0x0a, 0x1a])
    const d = dissectFrame(frame)
    const b = find(d.fields, 'Block2')
    expect(b?.value).toBe('NUM 1, M 1, size 64')
    expect([b?.start, b?.end]).toEqual([4, 7])
  })

  it('a truncated option is shown as a violation and what came before still decodes', () => {
    const frame = coap(GET, { path: '/3/0' }).slice(0, -1)
    const d = dissectFrame(frame)
    expect(find(d.fields, 'Violation')?.problem?.rule).toBe('coap.option-overrun')
    expect(find(d.fields, 'Uri-Path')?.value).toBe('3')
  })
})

describe('DTLS 1.2 record layer (RFC 6347 §4.1, RFC 9146)', () => {
  it('splits a ClientHello record into its handshake header fields', () => {
    const body = new Uint8Array(40)
    const fragment = encodeHandshakeFragments([{ msgType: HandshakeType.clientHello, length: 40, messageSeq: 0, fragmentOffset: 0, body }])
    const rec = encodeRecord({ type: 22, version: 0xfeff, epoch: 0, sequence: 0, fragment })
    const d = dissectFrame(rec)
    expect(d.protocol).toBe('dtls')
    expect(d.summary).toBe('DTLS client_hello')
    expect(find(d.fields, 'Message type')?.value).toBe('client_hello (1)')
    rangesInside(d, rec.length)
  })

  it('shows epoch, sequence and CID of protected records, and the CoAP inside when the plaintext is known', () => {
    const rec = encodeRecord({ type: 25, version: 0xfefd, epoch: 1, sequence: 5, cid: new Uint8Array([0xc1, 0xd0]), fragment: new Uint8Array(30) })
    const plain = coap(GET, { path: '/3/0/0' })
    const d = dissectFrame(rec, { cidLength: 2, plaintext: plain, models })
    expect(find(d.fields, 'Connection ID')?.value).toBe('c1d0')
    expect(find(d.fields, 'Epoch')?.value).toBe('1')
    expect(find(d.fields, 'Sequence number')?.value).toBe('5')
    expect(d.lwm2m?.op).toBe('read')
    expect(find(d.fields, 'Uri-Path')?.source).toBe('plain')
  })

  it('a CID record without a known CID length is flagged, not guessed', () => {
    const rec = encodeRecord({ type: 25, version: 0xfefd, epoch: 1, sequence: 5, cid: new Uint8Array([1, 2]), fragment: new Uint8Array(3) })
    const d = dissectFrame(rec)
    expect(find(d.fields, 'Violation')?.problem?.rule).toBe('dtls.record-cid-not-negotiated')
  })
})

describe('fuzz: dissectors never throw and keep ranges inside the frame', () => {
  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
      const d = dissectFrame(b, { models })
      rangesInside(d, b.length)
    }), { numRuns: 3000 })
  })

  it('valid headers with random options and payloads, under every content format', () => {
    const cfs = [0, 40, 42, 60, 110, 112, 320, 322, 11542, 11543, 11544]
    fc.assert(fc.property(fc.constantFrom(...cfs), fc.uint8Array({ maxLength: 200 }), fc.boolean(), (cf, payload, req) => {
      const frame = coap(req ? PUT : c(2, 5), { path: req ? '/3/0' : '', cf, payload: payload.length > 0 ? payload : text('x') })
      const d = dissectFrame(frame, { models, request: { op: 'read', segments: ['3', '0'] } })
      rangesInside(d, frame.length)
    }), { numRuns: 3000 })
  })

  it('random DTLS-looking datagrams', () => {
    fc.assert(fc.property(fc.integer({ min: 20, max: 25 }), fc.uint8Array({ minLength: 10, maxLength: 200 }), fc.integer({ min: 0, max: 8 }), (t, rest, cid) => {
      const b = new Uint8Array([t, 0xfe, 0xfd, ...rest])
      const d = dissectFrame(b, { cidLength: cid })
      rangesInside(d, b.length)
    }), { numRuns: 3000 })
  })
})
