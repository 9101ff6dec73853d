// SPDX-License-Identifier: Apache-2.0
import { fileURLToPath } from 'node:url'
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  checkAttributes,
  formatAttributeQuery,
  parseAttributeQuery,
  type NotificationAttributes
} from '../../../src-main/core/lwm2m/attributes'
import { EncodeError } from '../../../src-main/core/lwm2m/codec'
import { parseDdf } from '../../../src-main/core/lwm2m/model/ddf'

function rules(query: string, ctx = {}): string[] {
  return parseAttributeQuery(query, ctx).violations.map((v) => `${v.offset}:${v.rule}`)
}

// Object 3 Device v1.2 from the registry: /3/0/7 Power Source Voltage (integer, multiple),
// /3/0/13 Current Time (time), /3/0/0 Manufacturer (string).
const device = parseDdf(readFileSync(fileURLToPath(new URL('../../fixtures/lwm2m-registry/3.xml', import.meta.url)), 'utf8')).models[0]
// Object 3342 On/Off switch: 5500 Digital Input State is boolean.
const onOff = parseDdf(readFileSync(fileURLToPath(new URL('../../fixtures/lwm2m-registry/3342.xml', import.meta.url)), 'utf8')).models[0]

describe('Write-Attributes / Observe query (C §5.1.2 / §7.3, facts §2.8)', () => {
  it('facts §3.3: the brief example pmin=10&pmax=60&gt=20.5&edge=1&st parses with st unset', () => {
    const r = parseAttributeQuery('pmin=10&pmax=60&gt=20.5&edge=1&st')
    expect(r.violations).toEqual([])
    expect(r.attributes).toEqual({ pmin: 10, pmax: 60, gt: 20.5, edge: 1, st: null })
    expect(formatAttributeQuery(r.attributes)).toBe('pmin=10&pmax=60&gt=20.5&st&edge=1')
  })

  it('facts §1 INFO-01: Observe GET /3/0/7?pmin=5&pmax=10 (leading ? accepted)', () => {
    const r = parseAttributeQuery('?pmin=5&pmax=10', { path: [3, 0, 7] })
    expect(r).toEqual({ attributes: { pmin: 5, pmax: 10 }, violations: [] })
  })

  it('facts §3.3: every Write-Attributes parameter, written back in canonical order', () => {
    const q = 'hqmax=4&con=1&edge=0&epmax=30&epmin=2&st=1&lt=10&gt=50&pmax=60&pmin=1'
    const r = parseAttributeQuery(q, { path: [3342, 0, 5500], model: onOff })
    expect(r.attributes).toEqual({ pmin: 1, pmax: 60, gt: 50, lt: 10, st: 1, epmin: 2, epmax: 30, edge: 0, con: 1, hqmax: 4 })
    expect(formatAttributeQuery(r.attributes)).toBe('pmin=1&pmax=60&gt=50&lt=10&st=1&epmin=2&epmax=30&edge=0&con=1&hqmax=4')
  })

  it('facts §2.8 / §3.4: the valueless templates unset every attribute they name', () => {
    const composite = parseAttributeQuery('?pmin&pmax&epmin&epmax&con', { path: [] })
    expect(composite).toEqual({
      attributes: { pmin: null, pmax: null, epmin: null, epmax: null, con: null },
      violations: []
    })
    const all = parseAttributeQuery('?pmin&pmax&gt&lt&st&epmin&epmax&edge&con&hqmax', { path: [3, 0, 7] })
    expect(all.violations).toEqual([])
    expect(formatAttributeQuery(all.attributes)).toBe('pmin&pmax&gt&lt&st&epmin&epmax&edge&con&hqmax')
  })

  it('facts §3.3: the table template with empty values (pmin=&pmax=...) is flagged once per attribute', () => {
    const r = parseAttributeQuery('pmin=&pmax=&gt=&lt=&st=&epmin=&epmax=&edge=&con=&hqmax=')
    expect(r.attributes).toEqual({})
    expect(r.violations.map((v) => v.rule)).toEqual(Array(10).fill('attributes.empty-value'))
  })

  it('facts §7: negative and exponent thresholds are accepted though the ABNF has neither', () => {
    expect(parseAttributeQuery('lt=-10.5&gt=1e2').attributes).toEqual({ lt: -10.5, gt: 100 })
    expect(formatAttributeQuery({ gt: 1e21 })).toBe('gt=1000000000000000000000')
  })

  it('an empty query is an empty set', () => {
    expect(parseAttributeQuery('')).toEqual({ attributes: {}, violations: [] })
    expect(parseAttributeQuery('?')).toEqual({ attributes: {}, violations: [] })
    expect(formatAttributeQuery({})).toBe('')
  })

  it('flags syntax with offsets: unknown, duplicate, empty, non-numeric, edge/con not 0/1', () => {
    expect(rules('foo=1&pmin=1')).toEqual(['0:attributes.unknown'])
    expect(rules('pmin=1&pmin=2')).toEqual(['7:attributes.duplicate'])
    expect(parseAttributeQuery('pmin=1&pmin=2').attributes).toEqual({ pmin: 1 })
    expect(rules('pmin=x&pmin=2')).toEqual(['5:attributes.not-integer', '7:attributes.duplicate'])
    expect(rules('pmin=')).toEqual(['5:attributes.empty-value'])
    expect(rules('pmin=1&&pmax=2')).toEqual(['7:attributes.empty-parameter'])
    expect(rules('pmin=-1')).toEqual(['5:attributes.not-integer'])
    expect(rules('gt=abc')).toEqual(['3:attributes.not-decimal'])
    expect(rules('edge=2&con=7')).toEqual(['5:attributes.out-of-range', '11:attributes.out-of-range'])
    expect(rules('st=-1')).toEqual(['3:attributes.out-of-range'])
    expect(rules('?pmin=x')).toEqual(['6:attributes.not-integer'])
  })

  it('pmax must be at least pmin (pmax=0 means none)', () => {
    expect(rules('pmin=60&pmax=10')).toEqual(['8:attributes.pmax-below-pmin'])
    expect(rules('pmin=60&pmax=0')).toEqual([])
    expect(rules('pmin=10&pmax=10')).toEqual([])
  })

  it('epmin must be below epmax (reported; the client may ignore both)', () => {
    expect(rules('epmin=30&epmax=30')).toEqual(['9:attributes.epmin-not-below-epmax'])
    expect(rules('epmin=1&epmax=30')).toEqual([])
  })

  it('lt < gt and lt + 2·st < gt', () => {
    expect(rules('gt=10&lt=10')).toEqual(['6:attributes.lt-not-below-gt'])
    expect(rules('gt=20&lt=10&st=5')).toEqual(['12:attributes.step-too-wide'])
    expect(rules('gt=20&lt=10&st=4.9')).toEqual([])
    expect(rules('gt=20&st=50')).toEqual([])
  })

  it('gt/lt/st/edge apply to resources and resource instances only; root takes pmin/pmax/epmin/epmax/con', () => {
    expect(rules('gt=1&edge=1&pmin=1', { path: [3, 0] })).toEqual(['0:attributes.level', '5:attributes.level'])
    expect(rules('st=1', { path: [3] })).toEqual(['0:attributes.level'])
    expect(rules('gt=1', { path: [3, 0, 7, 0] })).toEqual([])
    expect(rules('pmin=1&pmax=5&epmin=1&epmax=2&con=1', { path: [] })).toEqual([])
    expect(rules('hqmax=1&gt=1', { path: [] })).toEqual(['0:attributes.level', '8:attributes.level'])
  })

  it('with a model: gt/lt/st need a numeric resource, edge a boolean one (INFO-03)', () => {
    expect(rules('gt=5', { path: [3, 0, 7], model: device })).toEqual([])
    expect(rules('gt=5&edge=1', { path: [3, 0, 0], model: device })).toEqual(['0:attributes.type', '5:attributes.type'])
    expect(rules('edge=1', { path: [3342, 0, 5500], model: onOff })).toEqual([])
    expect(rules('st=1', { path: [3342, 0, 5500], model: onOff })).toEqual(['0:attributes.type'])
    // A model of another object, or an unknown resource, is no reason to complain.
    expect(rules('edge=1', { path: [3, 0, 7], model: onOff })).toEqual([])
    expect(rules('edge=1', { path: [3, 0, 999], model: device })).toEqual([])
  })

  it('unset (valueless) attributes take part in no comparison', () => {
    expect(rules('pmin=60&pmax')).toEqual([])
    expect(checkAttributes({ gt: null, lt: 5 })).toEqual([])
  })

  it('checkAttributes applies the same rules to a typed set', () => {
    expect(checkAttributes({ pmin: 5, pmax: 1 }).map((v) => v.rule)).toEqual(['attributes.pmax-below-pmin'])
  })

  it('refuses to write values no client could read', () => {
    expect(() => formatAttributeQuery({ pmin: 1.5 })).toThrow(EncodeError)
    expect(() => formatAttributeQuery({ edge: 2 })).toThrow(EncodeError)
    expect(() => formatAttributeQuery({ pmax: -1 })).toThrow(EncodeError)
    expect(() => formatAttributeQuery({ gt: Number.POSITIVE_INFINITY })).toThrow(EncodeError)
    expect(() => formatAttributeQuery({ st: -1 })).toThrow(EncodeError)
  })
})

const integer = fc.oneof(fc.constant(null), fc.nat())
const flag = fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 1 }))
const decimal = fc.oneof(fc.constant(null), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)))
const attrsArb: fc.Arbitrary<NotificationAttributes> = fc.record(
  {
    pmin: integer,
    pmax: integer,
    gt: decimal,
    lt: decimal,
    st: decimal.map((x) => (x === null ? null : Math.abs(x))),
    epmin: integer,
    epmax: integer,
    edge: flag,
    con: flag,
    hqmax: integer
  },
  { requiredKeys: [] }
)
const SYNTAX = /^attributes\.(unknown|duplicate|empty-|not-|out-of-range)/

describe('attribute query properties (C §5.1.2)', () => {
  it('round trip: parse(format(a)) gives a back with no syntax violation', () => {
    fc.assert(
      fc.property(attrsArb, (a) => {
        const r = parseAttributeQuery(formatAttributeQuery(a))
        expect(r.attributes).toEqual(a)
        expect(r.violations.filter((v) => SYNTAX.test(v.rule))).toEqual([])
      }),
      { numRuns: 1000 }
    )
  })

  it('format is deterministic whatever the key order', () => {
    fc.assert(
      fc.property(attrsArb, (a) => {
        const reversed = Object.fromEntries(Object.entries(a).reverse()) as NotificationAttributes
        expect(formatAttributeQuery(reversed)).toBe(formatAttributeQuery(a))
      })
    )
  })
})

const alphabet = [...'pmaxingtlsedcohq=&?0123456789.-e+ ']
describe('attribute query fuzz: total on any input', () => {
  function total(q: string, path?: readonly number[]): void {
    const r = parseAttributeQuery(q, path ? { path: path as [], model: device } : {})
    const offsets = r.violations.map((v) => v.offset)
    expect(offsets).toEqual([...offsets].sort((x, y) => x - y))
    for (const v of r.violations) {
      expect(v.offset).toBeGreaterThanOrEqual(0)
      expect(v.offset).toBeLessThanOrEqual(q.length)
    }
    // Whatever was understood can be written and read back identically.
    expect(parseAttributeQuery(formatAttributeQuery(r.attributes)).attributes).toEqual(r.attributes)
  }

  it('random strings never throw', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (q) => total(q)), { numRuns: 1000 })
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 60 }).map((a) => a.join('')), fc.array(fc.nat(9), { maxLength: 4 }), (q, p) => total(q, p)),
      { numRuns: 2000 }
    )
  })

  it('mutated valid queries never throw', () => {
    fc.assert(
      fc.property(attrsArb, fc.nat(), fc.constantFrom(...alphabet), (a, at, c) => {
        const q = formatAttributeQuery(a)
        const k = q.length === 0 ? 0 : at % q.length
        total(q.slice(0, k) + c + q.slice(k + 1))
        total(q.slice(0, k) + q.slice(k + 1))
      }),
      { numRuns: 1000 }
    )
  })
})
