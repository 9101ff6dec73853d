// SPDX-License-Identifier: Apache-2.0
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { JsonError, JsonReader, parseJson } from '../../../src-main/core/json/reader'
import { ViolationList } from '../../../src-main/core/violation'

function reader(text: string): JsonReader {
  return new JsonReader(text, new ViolationList())
}

function failsAt(text: string, read: (j: JsonReader) => unknown): number {
  const j = reader(text)
  expect(() => read(j)).toThrow(JsonError)
  return j.violations.items[0]?.offset ?? -1
}

describe('JSON reader (RFC 8259)', () => {
  it('reads numbers by the RFC 8259 §6 grammar; integers beyond 2^53 as bigint', () => {
    const num = (t: string) => {
      const j = reader(t)
      const n = j.readNumber()
      return [n, j.wasFloat, j.pos]
    }
    expect(num('0')).toEqual([0, false, 1])
    expect(num('-12.5e+2,')).toEqual([-1250, true, 8])
    expect(num('9007199254740993')).toEqual([9007199254740993n, false, 16])
    expect(num('1E400')).toEqual([Infinity, true, 5])
    expect(failsAt('-', (j) => j.readNumber())).toBe(0)
    expect(failsAt('1.', (j) => j.readNumber())).toBe(2)
    expect(failsAt('1e', (j) => j.readNumber())).toBe(2)
    expect(failsAt('.5', (j) => j.readNumber())).toBe(0)
  })
  it('gives exactly the double Number() gives for any number lexeme (issue 12 item A fast path)', () => {
    const digits = (min: number, max: number) =>
      fc.array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max }).map((d) => d.join(''))
    const lexeme = fc
      .tuple(
        fc.boolean(),
        fc.oneof(fc.constant('0'), fc.tuple(fc.constantFrom(...'123456789'), digits(0, 19)).map(([a, b]) => a + b)),
        fc.option(digits(1, 20), { nil: undefined }),
        fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits(1, 3)).map((e) => e.join('')), { nil: undefined })
      )
      .map(([neg, int, frac, exp]) => (neg ? '-' : '') + int + (frac === undefined ? '' : '.' + frac) + (exp ?? ''))
    fc.assert(
      fc.property(lexeme, (t) => {
        const j = reader(t + ']')
        const n = j.readNumber()
        const float = /[.eE]/.test(t)
        const expected = Number(t)
        if (!float && !Number.isSafeInteger(expected)) expect(n).toBe(BigInt(t))
        else expect(Object.is(n, expected)).toBe(true)
        expect([j.wasFloat, j.pos]).toEqual([float, t.length])
      }),
      { numRuns: 5000 }
    )
    for (const t of ['-0', '-0.0', '0.1', '20.371', '999999999999999', '99999999999999.99', '0.000000000000001', '123456789.123456']) {
      expect(Object.is(reader(t).readNumber(), Number(t))).toBe(true)
    }
  })
  it('reads strings with every escape and refuses raw control characters', () => {
    const j = reader('"a\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00z"')
    expect(j.readString()).toBe('a"\\/\b\f\n\r\té😀z')
    expect(failsAt('"a\nb"', (r) => r.readString())).toBe(2)
    expect(failsAt('"a\\x"', (r) => r.readString())).toBe(2)
    expect(failsAt('"\\u12g4"', (r) => r.readString())).toBe(1)
    expect(failsAt('"abc', (r) => r.readString())).toBe(4)
  })
  it('skips any value and agrees with JSON.parse on what is valid', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const j = reader(text)
        j.skipValue()
        j.finish()
        expect(j.violations.items).toEqual([])
      }),
      { numRuns: 2000 }
    )
  })
  it('refuses what JSON.parse refuses (literals, trailing text)', () => {
    expect(failsAt('tru', (j) => j.skipValue())).toBe(0)
    expect(failsAt('[1,]', (j) => j.skipValue())).toBe(3)
    expect(failsAt('{"a" 1}', (j) => j.skipValue())).toBe(5)
    const j = reader('{} x')
    j.skipValue()
    j.finish()
    expect(j.violations.items).toMatchObject([{ rule: 'json.trailing', offset: 3 }])
  })
})

describe('parseJson: the tree for strict decoders (legacy OMA JSON)', () => {
  it('keeps offsets, duplicate keys and exact number text', () => {
    const p = parseJson(' {"a": 18446744073709551615, "a": [true, null, "\\u00e9\\n"]}')
    expect(p.ok).toBe(true)
    if (!p.ok || p.value.kind !== 'object') return
    expect(p.value.offset).toBe(1)
    expect(p.value.entries.map((e) => [e.key, e.keyOffset])).toEqual([['a', 2], ['a', 29]])
    expect(p.value.entries[0]?.value).toEqual({ kind: 'number', offset: 7, text: '18446744073709551615' })
    expect(p.value.entries[1]?.value).toMatchObject({ kind: 'array', items: [{ kind: 'boolean', value: true }, { kind: 'null' }, { kind: 'string', value: 'é\n' }] })
  })
  it('rejects what RFC 8259 does not allow, with the offset', () => {
    for (const [text, offset] of [['01', 1], ['{"a":1,}', 7], ['"a\nb"', 2], ['[1 2]', 3], ['tru', 0], ['{"a" 1}', 5], ['"\\x"', 1], ['1 1', 2]] as const) {
      const p = parseJson(text)
      expect(p.ok, text).toBe(false)
      if (!p.ok) expect(p.offset, text).toBe(offset)
    }
  })
  it('accepts what JSON.parse accepts, and refuses deep nesting without recursing into it', () => {
    fc.assert(fc.property(fc.json(), (text) => {
      expect(parseJson(text)).toMatchObject({ ok: true })
    }), { numRuns: 500 })
    expect(parseJson('['.repeat(100000))).toMatchObject({ ok: false, offset: 64 })
  })
})
