// SPDX-License-Identifier: Apache-2.0
// The real clock, timers and randomness behind core's Scheduler and Random ports.
import { randomBytes, randomFillSync } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import type { Random, Scheduler } from '../core/ports'

export const nodeScheduler: Scheduler = {
  now: () => performance.now(),
  schedule(delayMs, fn) {
    // Whole milliseconds (never earlier): Node keeps one timer list per distinct duration, and
    // randomised retransmission timeouts made a list, and a queue insertion, for every timer.
    const t = setTimeout(fn, Math.max(0, Math.ceil(delayMs)))
    t.unref?.() // a pending retransmission must not keep a finished CLI alive
    return () => clearTimeout(t)
  }
}

// Every request draws a token, an id and a back-off jitter: a few bytes each. One call into the
// OS CSPRNG costs microseconds whatever the size, so small draws come from a pool refilled 4 KiB
// at a time. Each pooled byte is handed out once; the bytes are as unpredictable as before.
const POOL_SIZE = 4096
const pool = new Uint8Array(POOL_SIZE)
let used = POOL_SIZE

function reserve(n: number): number {
  if (used + n > POOL_SIZE) {
    randomFillSync(pool)
    used = 0
  }
  const at = used
  used += n
  return at
}

export const nodeRandom: Random = {
  next: () => {
    const i = reserve(6)
    // 48 bits, as readUIntBE(0, 6) read them.
    const hi = (pool[i]! << 16) | (pool[i + 1]! << 8) | pool[i + 2]!
    const lo = (pool[i + 3]! << 16) | (pool[i + 4]! << 8) | pool[i + 5]!
    return (hi * 2 ** 24 + lo) / 2 ** 48
  },
  bytes: (n) => {
    if (n > POOL_SIZE / 8) return new Uint8Array(randomBytes(n))
    const i = reserve(n)
    // Copied into a fresh small array rather than sliced: a slice gets an ArrayBuffer of its
    // own, which costs a native allocation and a finaliser per token.
    const out = new Uint8Array(n)
    for (let k = 0; k < n; k++) out[k] = pool[i + k] as number
    return out
  }
}
