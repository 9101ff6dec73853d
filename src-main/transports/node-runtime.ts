// SPDX-License-Identifier: Apache-2.0
// The real clock, timers and randomness behind core's Scheduler and Random ports.
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import type { Random, Scheduler } from '../core/ports'

export const nodeScheduler: Scheduler = {
  now: () => performance.now(),
  schedule(delayMs, fn) {
    const t = setTimeout(fn, Math.max(0, delayMs))
    t.unref?.() // a pending retransmission must not keep a finished CLI alive
    return () => clearTimeout(t)
  }
}

export const nodeRandom: Random = {
  next: () => randomBytes(6).readUIntBE(0, 6) / 2 ** 48,
  bytes: (n) => new Uint8Array(randomBytes(n))
}
