// SPDX-License-Identifier: Apache-2.0
// Registration lifetimes (C §6.2.1: a registration not updated within its lifetime is removed).
// One timer for the earliest expiry instead of one per registration, over a min-heap. A timer may
// fire a little before its time (setTimeout and the monotonic clock are different clocks): then
// nothing is due yet, and it is armed again for what is left, so no expiry is ever lost.
import type { Scheduler } from '../../ports'

interface Entry {
  readonly at: number
  readonly id: string
}

export class ExpiryQueue {
  readonly #due = new Map<string, number>()
  #heap: Entry[] = []
  #armedAt: number | null = null
  #cancelTimer: (() => void) | null = null

  constructor(
    private readonly scheduler: Scheduler,
    private readonly onExpire: (id: string) => void
  ) {}

  get size(): number {
    return this.#due.size
  }

  /** Expire `id` at `at` (scheduler time), replacing an earlier setting; null: never. */
  set(id: string, at: number | null): void {
    if (at === null) {
      this.#due.delete(id)
      return
    }
    this.#due.set(id, at)
    this.push({ at, id })
    // Stale entries (replaced times) stay in the heap until popped; rebuild when they dominate.
    if (this.#heap.length > 2 * this.#due.size + 1024) this.rebuild()
    if (this.#armedAt === null || at < this.#armedAt) this.arm()
  }

  delete(id: string): void {
    this.#due.delete(id)
  }

  close(): void {
    this.#cancelTimer?.()
    this.#cancelTimer = null
    this.#armedAt = null
    this.#due.clear()
    this.#heap = []
  }

  private fire(): void {
    this.#cancelTimer = null
    this.#armedAt = null
    const now = this.scheduler.now()
    for (;;) {
      const top = this.#heap[0]
      if (!top || top.at > now) break
      this.pop()
      if (this.#due.get(top.id) !== top.at) continue // replaced or deleted
      this.#due.delete(top.id)
      try {
        this.onExpire(top.id)
      } catch {
        // One failing listener must not stop the other expiries.
      }
    }
    this.arm()
  }

  private arm(): void {
    // Drop stale tops so the timer is armed for a real expiry.
    while (this.#heap[0] && this.#due.get(this.#heap[0].id) !== this.#heap[0].at) this.pop()
    const top = this.#heap[0]
    if (!top) {
      this.#cancelTimer?.()
      this.#cancelTimer = null
      this.#armedAt = null
      return
    }
    if (this.#armedAt === top.at && this.#cancelTimer) return
    this.#cancelTimer?.()
    this.#armedAt = top.at
    // At least 1 ms: an early timer re-arms for the remainder rather than spinning at 0.
    this.#cancelTimer = this.scheduler.schedule(Math.max(1, top.at - this.scheduler.now()), () => this.fire())
  }

  private rebuild(): void {
    this.#heap = []
    for (const [id, at] of this.#due) this.push({ at, id })
  }

  private push(e: Entry): void {
    const h = this.#heap
    h.push(e)
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if ((h[p] as Entry).at <= e.at) break
      h[i] = h[p] as Entry
      i = p
    }
    h[i] = e
  }

  private pop(): void {
    const h = this.#heap
    const last = h.pop()
    if (!last || h.length === 0) return
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      if (l >= h.length) break
      const r = l + 1
      const c = r < h.length && (h[r] as Entry).at < (h[l] as Entry).at ? r : l
      if ((h[c] as Entry).at >= last.at) break
      h[i] = h[c] as Entry
      i = c
    }
    h[i] = last
  }
}
