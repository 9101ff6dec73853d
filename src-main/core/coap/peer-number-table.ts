// SPDX-License-Identifier: Apache-2.0
// Entries per request in flight, keyed by the peer and a number: a Message ID (RFC 7252 §4.4) or
// a token (§5.3.1). A string key such as "udp:127.0.0.1:40000#1a2b" cost a string built per
// message, then hashed and interned (every property key is): the interned copies lived in the old
// generation until the next full GC, and the lookups were the endpoint's largest single cost
// under load (issue 12). Here the number picks a slot in an integer-keyed dictionary, no string is
// built, and the few entries sharing a slot are told apart by peer key (and token bytes).

import { bytesEqual } from '../bytes'

interface Slot<V> {
  readonly peerKey: string
  /** The token, for token-keyed tables; null for Message IDs. */
  readonly tag: Uint8Array | null
  value: V
  next: Slot<V> | null
}

/** 30 bits of a token (random, §5.3.1), so the slot number stays a small integer. */
export function tokenNumber(token: Uint8Array): number {
  let n = 0
  for (let i = 0; i < token.length && i < 4; i++) n = (n << 8) | (token[i] as number)
  return (n ^ token.length) & 0x3fffffff
}

export class PeerNumberTable<V> {
  // Integer keys: V8 keeps them as the object's elements (a number dictionary once sparse), not
  // as named properties, so nothing is interned and no Map table is rehashed under churn.
  #slots: Record<number, Slot<V>> = Object.create(null) as Record<number, Slot<V>>
  #size = 0

  get size(): number {
    return this.#size
  }

  get(peerKey: string, n: number, tag: Uint8Array | null = null): V | undefined {
    for (let s: Slot<V> | null | undefined = this.#slots[n]; s; s = s.next)
      if (s.peerKey === peerKey && (tag === null || bytesEqual(s.tag as Uint8Array, tag))) return s.value
    return undefined
  }

  has(peerKey: string, n: number, tag: Uint8Array | null = null): boolean {
    return this.get(peerKey, n, tag) !== undefined
  }

  set(peerKey: string, n: number, value: V, tag: Uint8Array | null = null): void {
    const head = this.#slots[n]
    for (let s: Slot<V> | null | undefined = head; s; s = s.next)
      if (s.peerKey === peerKey && (tag === null || bytesEqual(s.tag as Uint8Array, tag))) {
        s.value = value
        return
      }
    this.#slots[n] = { peerKey, tag, value, next: head ?? null }
    this.#size++
  }

  delete(peerKey: string, n: number, tag: Uint8Array | null = null): boolean {
    let prev: Slot<V> | null = null
    for (let s: Slot<V> | null | undefined = this.#slots[n]; s; prev = s, s = s.next) {
      if (s.peerKey !== peerKey || (tag !== null && !bytesEqual(s.tag as Uint8Array, tag))) continue
      if (prev !== null) prev.next = s.next
      else if (s.next !== null) this.#slots[n] = s.next
      else delete this.#slots[n]
      this.#size--
      return true
    }
    return false
  }

  clear(): void {
    this.#slots = Object.create(null) as Record<number, Slot<V>>
    this.#size = 0
  }
}
