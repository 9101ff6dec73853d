// SPDX-License-Identifier: Apache-2.0
// Comparisons whose time does not depend on where two secrets differ: tags, MACs, Finished
// verify_data (RFC 3610 §2.5 "release nothing" on a bad tag; RFC 5246 §6.2.3.2 timing note).

/**
 * True when `a` and `b` hold the same bytes. Looks at every byte of the pair, so the time depends
 * only on the lengths (which are public: they are on the wire).
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number)
  return diff === 0
}
