// Simulated sensor values (docs/simulator-profile.md, "Generators"): pure functions of time.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { DEFAULT_INTERVAL_SECONDS, generatedValue, generatorInterval, generatorValue } from '../../../../src-main/core/lwm2m/client/generators'
import type { Generator } from '../../../../src-main/core/lwm2m/client/profile'

const noRandom = (): number => {
  throw new Error('random() must not be called')
}

describe('generatorValue', () => {
  it('sine starts at min, peaks at max half a period later, is back at min after one', () => {
    const g: Generator = { kind: 'sine', min: 18, max: 26, periodSeconds: 600 }
    expect(generatorValue(g, 0, null, noRandom)).toBeCloseTo(18)
    expect(generatorValue(g, 150, null, noRandom)).toBeCloseTo(22)
    expect(generatorValue(g, 300, null, noRandom)).toBeCloseTo(26)
    expect(generatorValue(g, 600, null, noRandom)).toBeCloseTo(18)
  })

  it('sine stays within min..max at any time', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), (t) => {
        const v = generatorValue({ kind: 'sine', min: -5, max: 5, periodSeconds: 37 }, t, null, noRandom) as number
        expect(v).toBeGreaterThanOrEqual(-5 - 1e-9)
        expect(v).toBeLessThanOrEqual(5 + 1e-9)
      })
    )
  })

  it('walk starts in the middle without randomness, then moves at most step and stays bounded', () => {
    const g: Generator = { kind: 'walk', min: 0, max: 10, step: 1 }
    expect(generatorValue(g, 0, null, noRandom)).toBe(5)
    expect(generatorValue(g, 10, 5, () => 1)).toBe(6)
    expect(generatorValue(g, 10, 5, () => 0)).toBe(4)
    expect(generatorValue(g, 10, 10, () => 1)).toBe(10)
    expect(generatorValue(g, 10, 0, () => 0)).toBe(0)
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 200 }), (draws) => {
        let v: number = generatorValue(g, 0, null, noRandom) as number
        for (const r of draws) {
          const next = generatorValue(g, 0, v, () => r) as number
          expect(Math.abs(next - v)).toBeLessThanOrEqual(1 + 1e-9)
          expect(next).toBeGreaterThanOrEqual(0)
          expect(next).toBeLessThanOrEqual(10)
          v = next
        }
      })
    )
  })

  it('toggle is false first and flips every everySeconds, from t alone', () => {
    const g: Generator = { kind: 'toggle', everySeconds: 30 }
    expect([0, 29.9, 30, 59, 60, 90].map((t) => generatorValue(g, t, null, noRandom))).toEqual([false, false, true, true, false, true])
    // The previous value does not matter: the same t gives the same answer.
    expect(generatorValue(g, 45, false, noRandom)).toBe(generatorValue(g, 45, true, noRandom))
  })

  it('counter is floor(t / every) * step', () => {
    const g: Generator = { kind: 'counter', step: 5, everySeconds: 60 }
    expect([0, 59, 60, 185].map((t) => generatorValue(g, t, null, noRandom))).toEqual([0, 0, 5, 15])
  })

  it('clock answers the start epoch plus t, in whole seconds', () => {
    expect(generatorValue({ kind: 'clock' }, 12.7, null, noRandom, 1_700_000_000)).toBe(1_700_000_012)
    expect(generatorValue({ kind: 'clock' }, 0, null, noRandom)).toBe(0)
  })

  it('never fails on degenerate input', () => {
    expect(generatorValue({ kind: 'sine', min: 1, max: 3, periodSeconds: 0 }, 5, null, noRandom)).toBe(1)
    expect(generatorValue({ kind: 'toggle', everySeconds: 0 }, 5, null, noRandom)).toBe(false)
    expect(generatorValue({ kind: 'counter', step: 1, everySeconds: 0 }, 5, null, noRandom)).toBe(0)
    expect(generatorValue({ kind: 'counter', step: 1, everySeconds: 1 }, Number.NaN, null, noRandom)).toBe(0)
    expect(generatorValue({ kind: 'walk', min: 0, max: 2, step: 1 }, 0, 1, () => Number.NaN)).toBe(1)
  })
})

describe('generatedValue and generatorInterval', () => {
  it('types a generated number by the resource: rounds integers, floors time, keeps floats', () => {
    expect(generatedValue('float', 21.25)).toEqual({ type: 'float', value: 21.25 })
    // A sensor's resolution: two decimals, never binary noise such as 18.021925811686877.
    expect(generatedValue('float', 18.021925811686877)).toEqual({ type: 'float', value: 18.02 })
    expect(generatedValue('float', -0.001)).toEqual({ type: 'float', value: 0 })
    expect(generatedValue('integer', 21.5)).toEqual({ type: 'integer', value: 22 })
    expect(generatedValue('integer', -0.2)).toEqual({ type: 'integer', value: 0 })
    expect(generatedValue('unsigned', -3)).toEqual({ type: 'unsigned', value: 0 })
    expect(generatedValue('time', 1_700_000_000.9)).toEqual({ type: 'time', value: 1_700_000_000 })
    expect(generatedValue('boolean', true)).toEqual({ type: 'boolean', value: true })
    expect(generatedValue('string', 3)).toBeNull()
    expect(generatedValue('float', true)).toBeNull()
    expect(generatedValue('float', Number.POSITIVE_INFINITY)).toBeNull()
  })

  it('recomputes at intervalSeconds, else when toggle/counter change, else every DEFAULT_INTERVAL_SECONDS', () => {
    expect(generatorInterval({ kind: 'sine', min: 0, max: 1, periodSeconds: 60 }, 2)).toBe(2)
    expect(generatorInterval({ kind: 'toggle', everySeconds: 30 })).toBe(30)
    expect(generatorInterval({ kind: 'counter', step: 1, everySeconds: 15 })).toBe(15)
    expect(generatorInterval({ kind: 'clock' })).toBe(DEFAULT_INTERVAL_SECONDS)
  })
})
