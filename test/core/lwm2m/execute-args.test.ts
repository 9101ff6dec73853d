// SPDX-License-Identifier: Apache-2.0
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EncodeError } from '../../../src-main/core/lwm2m/codec'
import { formatExecuteArgs, parseExecuteArgs, type ExecuteArgument } from '../../../src-main/core/lwm2m/execute-args'

function rules(text: string): string[] {
  return parseExecuteArgs(text).violations.map((v) => `${v.offset}:${v.rule}`)
}

describe('Execute arguments (C §6.3.5, facts §3.3)', () => {
  it('facts §3.3 examples: 5, 2=\'10.3\', 0,1,2,3,4', () => {
    expect(parseExecuteArgs('5')).toEqual({ args: [{ digit: 5 }], violations: [] })
    expect(parseExecuteArgs("2='10.3'")).toEqual({ args: [{ digit: 2, value: '10.3' }], violations: [] })
    expect(parseExecuteArgs('0,1,2,3,4').args.map((a) => a.digit)).toEqual([0, 1, 2, 3, 4])
    expect(formatExecuteArgs([{ digit: 2, value: '10.3' }, { digit: 5 }])).toBe("2='10.3',5")
  })

  it("facts §1 TRIG-03: Registration Update Trigger argument 0='U'; the query form 0=U is read, flagged", () => {
    expect(parseExecuteArgs("0='U'")).toEqual({ args: [{ digit: 0, value: 'U' }], violations: [] })
    const r = parseExecuteArgs('0=U')
    expect(r.args).toEqual([{ digit: 0, value: 'U' }])
    expect(rules('0=U')).toEqual(['2:execute-args.unquoted-value'])
  })

  it('facts §3.3: the spec example with a space inside the value is read, the space flagged', () => {
    const text = "7,0=' <https://...>'"
    const r = parseExecuteArgs(text)
    const offsets = r.violations.map((v) => v.offset)
    expect(offsets).toEqual([...offsets].sort((x, y) => x - y))
    expect(r.args).toEqual([{ digit: 7 }, { digit: 0, value: ' <https://...>' }])
    expect(rules(text)).toEqual(['5:execute-args.char'])
  })

  it('no payload means no arguments; an empty value is allowed', () => {
    expect(parseExecuteArgs('')).toEqual({ args: [], violations: [] })
    expect(parseExecuteArgs("1=''")).toEqual({ args: [{ digit: 1, value: '' }], violations: [] })
  })

  it('1.2.1: each digit at most once', () => {
    expect(rules('1,2,1')).toEqual(['4:execute-args.duplicate'])
    expect(() => formatExecuteArgs([{ digit: 1 }, { digit: 1 }])).toThrow(EncodeError)
  })

  it('flags broken syntax with offsets and keeps what it understood', () => {
    expect(rules('10')).toEqual(['0:execute-args.multi-digit'])
    expect(parseExecuteArgs('10,2').args).toEqual([{ digit: 2 }])
    expect(rules('a,1')).toEqual(['0:execute-args.expected-digit'])
    expect(rules('1,')).toEqual(['1:execute-args.trailing-comma'])
    expect(rules('1, ')).toEqual(['1:execute-args.trailing-comma', '2:execute-args.whitespace'])
    expect(rules('1, 2')).toEqual(['2:execute-args.whitespace'])
    expect(rules("1='abc")).toEqual(['2:execute-args.unterminated-value'])
    expect(rules("1='a'b,2")).toEqual(['5:execute-args.unexpected-char'])
    expect(parseExecuteArgs("1='a'b,2").args).toEqual([{ digit: 1, value: 'a' }, { digit: 2 }])
    expect(rules('1=\'a"b\\\\c\'')).toEqual(['4:execute-args.char', '6:execute-args.char', '7:execute-args.char'])
  })

  it('refuses to write what the ABNF cannot carry', () => {
    expect(() => formatExecuteArgs([{ digit: 10 }])).toThrow(EncodeError)
    expect(() => formatExecuteArgs([{ digit: 1, value: "it's" }])).toThrow(EncodeError)
    expect(() => formatExecuteArgs([{ digit: 1, value: 'a b' }])).toThrow(EncodeError)
    expect(() => formatExecuteArgs([{ digit: 1, value: 'é' }])).toThrow(EncodeError)
  })
})

// CHAR = "!" / %x23-26 / %x28-5B / %x5D-7E
const charArb = fc.integer({ min: 0x21, max: 0x7e }).filter((c) => c !== 0x22 && c !== 0x27 && c !== 0x5c).map((c) => String.fromCharCode(c))
const argsArb: fc.Arbitrary<ExecuteArgument[]> = fc
  .uniqueArray(fc.integer({ min: 0, max: 9 }), { maxLength: 10 })
  .chain((digits) =>
    fc.tuple(...digits.map((digit) => fc.option(fc.array(charArb, { maxLength: 12 }).map((a) => a.join('')), { nil: undefined }).map((value) => (value === undefined ? { digit } : { digit, value }))))
  )

describe('Execute argument properties (C §6.3.5)', () => {
  it('round trip: parse(format(args)) gives args back with no violation', () => {
    fc.assert(
      fc.property(argsArb, (args) => {
        expect(parseExecuteArgs(formatExecuteArgs(args))).toEqual({ args, violations: [] })
      }),
      { numRuns: 1000 }
    )
  })
})

describe('Execute argument fuzz: total on any input', () => {
  function total(text: string): void {
    const r = parseExecuteArgs(text)
    const offsets = r.violations.map((v) => v.offset)
    expect(offsets).toEqual([...offsets].sort((x, y) => x - y))
    for (const v of r.violations) {
      expect(v.offset).toBeGreaterThanOrEqual(0)
      expect(v.offset).toBeLessThanOrEqual(text.length)
    }
    for (const a of r.args) expect(a.digit >= 0 && a.digit <= 9).toBe(true)
    if (r.violations.length === 0) expect(parseExecuteArgs(formatExecuteArgs(r.args)).args).toEqual(r.args)
  }

  it('random strings never throw', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), total), { numRuns: 1000 })
    const alphabet = [..."0123456789=',ab \\\""]
    fc.assert(fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 40 }).map((a) => a.join('')), total), { numRuns: 2000 })
  })

  it('mutated valid argument lists never throw', () => {
    fc.assert(
      fc.property(argsArb, fc.nat(), fc.constantFrom(...",='0 x\\"), (args, at, c) => {
        const s = formatExecuteArgs(args)
        const k = s.length === 0 ? 0 : at % s.length
        total(s.slice(0, k) + c + s.slice(k + 1))
        total(s.slice(0, k) + s.slice(k + 1))
        total(s.slice(0, k) + c + s.slice(k))
      }),
      { numRuns: 1000 }
    )
  })
})
