// SPDX-License-Identifier: Apache-2.0
// Anti-replay window (RFC 6347 §4.1.2.6): examples at the edges, and a property test against a
// plain set-based model of the rule for random sequences, window sizes and long jumps.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ReplayWindow } from '../../../src-main/core/dtls/replay-window'

describe('ReplayWindow (RFC 6347 §4.1.2.6)', () => {
  it('new numbers pass, a marked one is a replay, the left edge is size-1 below the right', () => {
    const w = new ReplayWindow()
    expect(w.check(0)).toBe(true)
    w.mark(0)
    expect(w.check(0)).toBe(false)
    w.mark(100)
    expect(w.check(36)).toBe(false) // 100 - 36 = 64: left of the window
    expect(w.check(37)).toBe(true) // inside, unseen
    w.mark(37)
    expect(w.check(37)).toBe(false)
    expect(w.check(100)).toBe(false)
    expect(w.check(101)).toBe(true)
  })

  it('checking alone never moves the window (only authenticated records are marked)', () => {
    const w = new ReplayWindow()
    w.mark(5)
    for (let s = 0; s < 1000; s++) w.check(s)
    expect(w.highest).toBe(5)
    expect(w.check(4)).toBe(true)
  })

  it('a jump further than the window forgets everything marked before; 48-bit numbers work', () => {
    const w = new ReplayWindow(64)
    w.mark(10)
    w.mark(2 ** 48 - 2)
    expect(w.check(2 ** 48 - 2)).toBe(false)
    expect(w.check(2 ** 48 - 3)).toBe(true)
    expect(w.check(10)).toBe(false)
    expect(w.check(2 ** 48 - 1)).toBe(true)
  })

  it('property: agrees with a set-based model for any size and any sequence of marks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.oneof(fc.nat(300), fc.nat(2 ** 48 - 1)), { maxLength: 200 }),
        (size, seqs) => {
          const w = new ReplayWindow(size)
          const seen = new Set<number>()
          let top = -1
          const model = (s: number) => s > top || (top - s < size && !seen.has(s))
          for (const s of seqs) {
            expect(w.check(s)).toBe(model(s))
            // Mark every other accepted number, as if it authenticated.
            if (model(s) && s % 2 === 0) {
              w.mark(s)
              seen.add(s)
              top = Math.max(top, s)
            }
            for (const probe of [s - 1, s + 1, top - size, top - size + 1, top]) if (probe >= 0) expect(w.check(probe)).toBe(model(probe))
          }
        }
      ),
      { numRuns: 500 }
    )
  })
})
