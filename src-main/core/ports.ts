// SPDX-License-Identifier: Apache-2.0
// The only doors out of core/: everything with a side effect (time, randomness, I/O, capture)
// is handed in through these interfaces so that core code stays deterministic under test.

/** Monotonic milliseconds; tests pass a fake clock. */
export interface Clock {
  now(): number
}

/** Randomness for tokens, message IDs and jitter; tests pass a seeded source. */
export interface Random {
  /** A float in [0, 1). */
  next(): number
  bytes(length: number): Uint8Array
}
