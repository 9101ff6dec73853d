// SPDX-License-Identifier: Apache-2.0
// A deterministic Random (mulberry32) so retransmission timings and tokens repeat run to run.

import type { Random } from '../../../../src-main/core/ports'

export function seededRandom(seed: number): Random {
  let s = seed >>> 0
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    bytes: (n) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256))
  }
}

/** A Random that always returns `value` from next(): pins the first timeout to one end (§4.2). */
export function fixedRandom(value: number): Random {
  let counter = 0
  return {
    next: () => value,
    bytes: (n) => Uint8Array.from({ length: n }, () => counter++ & 0xff)
  }
}
