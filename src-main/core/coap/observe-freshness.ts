// SPDX-License-Identifier: Apache-2.0
// RFC 7641 §3.4: whether a notification is newer than the freshest one seen so far. Sequence
// numbers are 24 bits and wrap; after 128 s without news any notification counts as newer.

const HALF = 1 << 23
/** §3.4: the time after which the order of sequence numbers no longer matters. */
export const OBSERVE_FRESHNESS_MS = 128_000

/** (v1, t1) the freshest stored notification, (v2, t2) the incoming one; times in ms. */
export function isNewerNotification(v1: number, t1: number, v2: number, t2: number): boolean {
  const a = v1 & 0xffffff
  const b = v2 & 0xffffff
  return (a < b && b - a < HALF) || (a > b && a - b > HALF) || t2 > t1 + OBSERVE_FRESHNESS_MS
}
