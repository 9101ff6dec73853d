// SPDX-License-Identifier: Apache-2.0
// The pooled randomness behind nodeRandom: right sizes and ranges, and no byte handed out twice
// (two draws never share bytes, also across a refill of the pool).
import { describe, expect, it } from 'vitest'
import { nodeRandom } from '../../src-main/transports/node-runtime'

describe('nodeRandom', () => {
  it('draws floats in [0, 1) and byte arrays of the asked length, large ones too', () => {
    for (let i = 0; i < 5000; i++) {
      const x = nodeRandom.next()
      expect(x >= 0 && x < 1).toBe(true)
    }
    for (const n of [0, 1, 4, 8, 512, 513, 5000]) expect(nodeRandom.bytes(n)).toHaveLength(n)
  })

  it('gives independent copies that do not repeat across pool refills', () => {
    const seen = new Set<string>()
    const first = nodeRandom.bytes(8)
    const copy = Uint8Array.from(first)
    for (let i = 0; i < 4000; i++) {
      const hex = Buffer.from(nodeRandom.bytes(8)).toString('hex')
      expect(seen.has(hex)).toBe(false)
      seen.add(hex)
    }
    // Later draws (and refills) never write into an array already handed out.
    expect(first).toEqual(copy)
    const mean = [...Array(20_000)].reduce((s: number) => s + nodeRandom.next(), 0) / 20_000
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02)
  })
})
