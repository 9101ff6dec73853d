// SPDX-License-Identifier: Apache-2.0
// The messages an endpoint has received, remembered for deduplication (RFC 7252 §4.5): looked up
// by peer and Message ID, forgotten in arrival order when their lifetime is over or when there
// are more than the cap. Keyed without building a string per message (see peer-number-table.ts);
// a queue in arrival order replaces one timer per message.

import { PeerNumberTable } from './peer-number-table'

/** A CON or NON we received, remembered for its lifetime (RFC 7252 §4.5). */
export interface Seen {
  readonly peerKey: string
  readonly messageId: number
  /** What every copy of a CON is answered with (ACK, piggybacked response, or RST). */
  reply: Uint8Array | null
  /** Called on a duplicate while the reply is not settled yet. */
  onDuplicate: (() => void) | null
  /** End of its lifetime (EXCHANGE_LIFETIME for CON, NON_LIFETIME for NON). */
  readonly until: number
}

export class DedupCache {
  readonly #table = new PeerNumberTable<Seen>()
  /** Arrival order; entries before #head are gone. Replaced entries stay until swept. */
  #queue: Seen[] = []
  #head = 0

  constructor(private readonly max: number) {}

  get size(): number {
    return this.#table.size
  }

  get(peerKey: string, messageId: number): Seen | undefined {
    return this.#table.get(peerKey, messageId)
  }

  /** Remembers `seen` (replacing an older entry for the same message), then forgets what is due. */
  remember(seen: Seen, now: number): void {
    this.#table.set(seen.peerKey, seen.messageId, seen)
    this.#queue.push(seen)
    this.sweep(now)
  }

  /** Forgets what has outlived its lifetime, and the oldest beyond the cap. */
  sweep(now: number): void {
    const q = this.#queue
    while (this.#head < q.length) {
      const s = q[this.#head] as Seen
      const current = this.#table.get(s.peerKey, s.messageId) === s
      if (current && s.until > now && this.#table.size <= this.max) break
      if (current) this.#table.delete(s.peerKey, s.messageId)
      q[this.#head++] = undefined as unknown as Seen
    }
    // Drop the consumed front now and then, so the queue stays proportional to what is kept.
    if (this.#head > 1024 && this.#head * 2 > q.length) {
      this.#queue = q.slice(this.#head)
      this.#head = 0
    }
  }

  clear(): void {
    this.#table.clear()
    this.#queue = []
    this.#head = 0
  }
}
