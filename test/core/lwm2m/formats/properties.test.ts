// SPDX-License-Identifier: Apache-2.0
// Property tests over every codec of this folder: decode(encode(x)) == x for generated records
// (every type, single and multiple resources, gateway prefixes, SenML times, ETCH packs), and
// fuzzing of every decoder with random and mutated payloads (no throw, offsets in range, bounded time).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ContentCodec } from '../../../../src-main/core/lwm2m/codec'
import { cborSingleCodec } from '../../../../src-main/core/lwm2m/formats/cbor-single'
import { lwm2mCborCodec } from '../../../../src-main/core/lwm2m/formats/lwm2m-cbor'
import { senmlCborCodec } from '../../../../src-main/core/lwm2m/formats/senml-cbor'
import { senmlEtchCborCodec } from '../../../../src-main/core/lwm2m/formats/senml-etch-cbor'
import { senmlEtchJsonCodec } from '../../../../src-main/core/lwm2m/formats/senml-etch-json'
import { senmlJsonCodec } from '../../../../src-main/core/lwm2m/formats/senml-json'
import type { Path } from '../../../../src-main/core/lwm2m/path'
import type { Lwm2mRecord } from '../../../../src-main/core/lwm2m/record'
import { normalizeInteger, type ResourceType, type Value } from '../../../../src-main/core/lwm2m/value'
import { EVERY_TYPE, MODELS } from './senml-models'

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(normalizeInteger)
const uint64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(normalizeInteger)
const text = fc.string({ unit: 'grapheme', maxLength: 12 })

function valueOf(type: ResourceType, json: boolean): fc.Arbitrary<Value> {
  switch (type) {
    case 'string':
      return text.map((value) => ({ type, value }))
    case 'corelnk':
      return text.map((value) => ({ type, value }))
    case 'integer':
    case 'time':
      return fc.oneof(int64, fc.integer({ min: -1000, max: 1000 })).map((value) => ({ type, value }))
    case 'unsigned':
      return fc.oneof(uint64, fc.nat(1000)).map((value) => ({ type, value }))
    case 'float':
      return fc.double({ noNaN: json, noDefaultInfinity: json }).map((value) => ({ type, value }))
    case 'boolean':
      return fc.boolean().map((value) => ({ type, value }))
    case 'opaque':
      return fc.uint8Array({ maxLength: 20 }).map((value) => ({ type, value }))
    case 'objlnk':
      return fc.record({ objectId: fc.nat(65535), instanceId: fc.nat(65535) }).map((value) => ({ type, value }))
    case 'none':
      return fc.constant({ type, value: null })
  }
}

const typeOf = (r: number) => EVERY_TYPE.resources.find((x) => x.id === r)?.type as ResourceType
const PREFIXES = [undefined, 'dev1', 'd02'] as const

interface Slot {
  prefix: string | undefined
  path: Path
}

/** Unique resource(-instance) slots on object 9999, sorted (the order canonical encoders keep). */
function slots(none: boolean, minLength: number): fc.Arbitrary<Slot[]> {
  return fc
    .uniqueArray(
      fc.record({ p: fc.nat(2), i: fc.nat(3), r: fc.nat(18).filter((r) => none || r !== 9), ri: fc.nat(3) }),
      { minLength, maxLength: 12, selector: (s) => `${s.p}/${s.i}/${s.r}${s.r >= 10 ? '/' + s.ri : ''}` }
    )
    .map((list) =>
      list
        .sort((a, b) => a.p - b.p || a.i - b.i || a.r - b.r || a.ri - b.ri)
        .map((s): Slot => ({ prefix: PREFIXES[s.p], path: (s.r >= 10 ? [9999, s.i, s.r, s.ri] : [9999, s.i, s.r]) as Path }))
    )
}

const times = fc.option(fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }).map((t) => (Object.is(t, -0) ? 0 : t))), { nil: undefined })

/** Records with values typed by EVERY_TYPE; `none` allows executable resources (null). */
function recordsFor(opts: { json: boolean; none: boolean; time: boolean; del: boolean }): fc.Arbitrary<Lwm2mRecord[]> {
  return slots(opts.none, opts.none ? 1 : 0).chain((list) =>
    fc.tuple(
      ...list.map((slot) =>
        fc
          .record({
            value: valueOf(typeOf(slot.path[2] as number), opts.json),
            time: opts.time ? times : fc.constant(undefined),
            del: opts.del ? fc.boolean() : fc.constant(false)
          })
          .map(({ value, time, del }) => {
            const rec: { -readonly [K in keyof Lwm2mRecord]: Lwm2mRecord[K] } = { path: slot.path }
            if (slot.prefix !== undefined) rec.prefix = slot.prefix
            rec.value = del ? { type: 'none', value: null } : value
            if (del) rec.delete = true
            if (time !== undefined) rec.time = time
            return rec
          })
      )
    )
  )
}

const ctx = { models: MODELS }

function roundTrip(codec: ContentCodec, records: fc.Arbitrary<Lwm2mRecord[]>, runs = 400): void {
  fc.assert(
    fc.property(records, (recs) => {
      const bytes = codec.encode(recs, ctx)
      expect(codec.decode(bytes, ctx)).toEqual({ records: recs, violations: [] })
    }),
    { numRuns: runs }
  )
}

describe('round trips decode(encode(x)) == x', () => {
  it('LwM2M CBOR (11544): every type incl. none, single and multiple resources, gateway prefixes', () => {
    roundTrip(lwm2mCborCodec, recordsFor({ json: false, none: true, time: false, del: false }))
  })
  it('SenML CBOR (112): every SenML type, times', () => {
    roundTrip(senmlCborCodec, recordsFor({ json: false, none: false, time: true, del: false }))
  })
  it('SenML JSON (110): every SenML type, times', () => {
    roundTrip(senmlJsonCodec, recordsFor({ json: true, none: false, time: true, del: false }))
  })
  it('SenML-ETCH CBOR and JSON (322, 320) Patch Packs with deletes', () => {
    roundTrip(senmlEtchCborCodec, recordsFor({ json: false, none: false, time: false, del: true }))
    roundTrip(senmlEtchJsonCodec, recordsFor({ json: true, none: false, time: false, del: true }))
  })
  it('SenML-ETCH Fetch Packs: path-only records at every depth', () => {
    const paths = fc.uniqueArray(
      fc.record({ prefix: fc.constantFrom(...PREFIXES), path: fc.array(fc.nat(65534), { minLength: 0, maxLength: 4 }) }),
      { maxLength: 10, selector: (r) => `${r.prefix}/${r.path.join('/')}` }
    ).map((list) => list.map((r): Lwm2mRecord => (r.prefix === undefined ? { path: r.path as unknown as Path } : { path: r.path as unknown as Path, prefix: r.prefix })))
    roundTrip(senmlEtchCborCodec, paths)
    roundTrip(senmlEtchJsonCodec, paths)
  })
  it('CBOR (60): every type at its resource path', () => {
    fc.assert(
      fc.property(fc.nat(9).chain((r) => valueOf(typeOf(r), false).map((value) => ({ path: [9999, 0, r] as Path, value }))), (rec) => {
        const c = { models: MODELS, path: rec.path }
        expect(cborSingleCodec.decode(cborSingleCodec.encode([rec], c), c)).toEqual({ records: [rec], violations: [] })
      }),
      { numRuns: 1000 }
    )
  })
})

const DECODERS: [string, ContentCodec, fc.Arbitrary<Lwm2mRecord[]>][] = [
  ['CBOR 60', cborSingleCodec, fc.nat(9).chain((r) => valueOf(typeOf(r), false).map((value) => [{ path: [9999, 0, r] as Path, value }]))],
  ['SenML JSON', senmlJsonCodec, recordsFor({ json: true, none: false, time: true, del: false })],
  ['SenML CBOR', senmlCborCodec, recordsFor({ json: false, none: false, time: true, del: false })],
  ['SenML-ETCH JSON', senmlEtchJsonCodec, recordsFor({ json: true, none: false, time: false, del: true })],
  ['SenML-ETCH CBOR', senmlEtchCborCodec, recordsFor({ json: false, none: false, time: false, del: true })],
  ['LwM2M CBOR', lwm2mCborCodec, recordsFor({ json: false, none: true, time: false, del: false })]
]

/** Decodes and checks the contract: no throw, offsets inside the input (a hang hits the timeout). */
function survive(codec: ContentCodec, bytes: Uint8Array): void {
  const c = { models: MODELS, path: [9999, 0, 1] as Path }
  const r = codec.decode(bytes, c)
  expect(Array.isArray(r.records)).toBe(true)
  for (const v of r.violations) {
    expect(v.offset).toBeGreaterThanOrEqual(0)
    expect(v.offset).toBeLessThanOrEqual(bytes.length)
    expect(v.rule).toMatch(/^[a-z0-9-]+\.[a-z0-9-]+$/)
  }
}

const JSONISH = '[]{}",:0123456789.-+eE \\/abcdefghilnorstuv_'
const jsonish = fc.array(fc.constantFrom(...JSONISH), { maxLength: 80 }).map((cs) => new TextEncoder().encode(cs.join('')))

describe('fuzzing every decoder (20k random and 20k mutated payloads each)', () => {
  for (const [name, codec, records] of DECODERS) {
    it(`${name}: random bytes`, () => {
      const isJson = name.includes('JSON')
      fc.assert(fc.property(isJson ? fc.oneof(fc.uint8Array({ maxLength: 80 }), jsonish) : fc.uint8Array({ maxLength: 80 }), (b) => survive(codec, b)), {
        numRuns: 20000
      })
    }, 120_000)
    it(`${name}: mutated valid payloads`, () => {
      const valid = fc.sample(records.filter((r) => r.length > 0), { numRuns: 60, seed: 42 }).map((recs) => codec.encode(recs, ctx))
      const mutation = fc.record({
        which: fc.nat(valid.length - 1),
        edits: fc.array(fc.record({ at: fc.nat(), byte: fc.nat(255), kind: fc.nat(3) }), { minLength: 1, maxLength: 3 })
      })
      fc.assert(
        fc.property(mutation, ({ which, edits }) => {
          let b = Uint8Array.from(valid[which] as Uint8Array)
          for (const e of edits) {
            const at = e.at % Math.max(1, b.length)
            if (e.kind === 0 || e.kind === 1) b[at] = e.byte
            else if (e.kind === 2) b = b.slice(0, at)
            else b = Uint8Array.from([...b.subarray(0, at), e.byte, ...b.subarray(at)])
          }
          survive(codec, b)
        }),
        { numRuns: 20000 }
      )
    }, 120_000)
  }
})

describe('round trips without a model (the wire type decides)', () => {
  const untyped = fc.oneof(
    fc.oneof(int64, fc.integer()).map((value): Value => ({ type: 'integer', value })),
    fc.double().map((value): Value => ({ type: 'float', value })),
    text.map((value): Value => ({ type: 'string', value })),
    fc.boolean().map((value): Value => ({ type: 'boolean', value })),
    fc.uint8Array({ maxLength: 8 }).map((value): Value => ({ type: 'opaque', value }))
  )
  const records = (none: boolean) =>
    slots(false, 1).chain((list) =>
      fc.tuple(...list.map((slot) => (none ? fc.oneof(untyped, fc.constant<Value>({ type: 'none', value: null })) : untyped).map((value): Lwm2mRecord => ({ ...slot, value }))))
    ).map((recs) => recs.map((r) => (r.prefix === undefined ? { path: r.path, value: r.value } : r)))
  it('LwM2M CBOR and SenML CBOR keep integer, float, string, boolean, opaque (and null)', () => {
    fc.assert(
      fc.property(records(true), (recs) => {
        expect(lwm2mCborCodec.decode(lwm2mCborCodec.encode(recs, {}), {})).toEqual({ records: recs, violations: [] })
      }),
      { numRuns: 300 }
    )
    fc.assert(
      fc.property(records(false), (recs) => {
        expect(senmlCborCodec.decode(senmlCborCodec.encode(recs, {}), {})).toEqual({ records: recs, violations: [] })
      }),
      { numRuns: 300 }
    )
  })
})

describe('bounded time on large and adversarial inputs', () => {
  const big: Lwm2mRecord[] = Array.from({ length: 20000 }, (_, n) => ({ path: [3303, n, 5700] as Path, value: { type: 'float', value: n + 0.5 } }))
  for (const [name, codec] of DECODERS.slice(1)) {
    // No clock here (speed is test/bench's job): a super-linear decoder would hit the test timeout.
    it(`${name}: 20000 records decode completely`, () => {
      const bytes = codec.encode(big, ctx)
      const r = codec.decode(bytes, ctx)
      expect(r.records).toHaveLength(20000)
      expect(r.violations).toEqual([])
    })
  }
  it('deep nesting stops at the depth limit instead of recursing on', () => {
    const deepArrays = new Uint8Array(100000).fill(0x81)
    const deepMaps = Uint8Array.from({ length: 100000 }, (_, i) => (i % 2 === 0 ? 0xa1 : 0x01))
    for (const [name, codec] of DECODERS.filter(([n]) => n.includes('CBOR'))) {
      const r = codec.decode(name === 'LwM2M CBOR' ? deepMaps : deepArrays, ctx)
      expect(r.violations.map((v) => v.rule)).toContain('cbor.depth-limit')
    }
    const json = new TextEncoder().encode('[{"x":' + '['.repeat(100000))
    expect(senmlJsonCodec.decode(json, ctx).violations.map((v) => v.rule)).toContain('json.depth-limit')
  })
  it('100000 one-byte chunks of an indefinite text string are read (quadratic reading would time out)', () => {
    const chunks = new Uint8Array(2 + 100000 * 2 + 1)
    chunks.set([0x81, 0x7f])
    for (let i = 0; i < 100000; i++) chunks.set([0x61, 0x61], 2 + i * 2)
    chunks[chunks.length - 1] = 0xff
    const r = senmlCborCodec.decode(chunks, ctx)
    expect(r.violations.map((v) => v.rule)).toEqual(['senml.not-a-record'])
  })
})
