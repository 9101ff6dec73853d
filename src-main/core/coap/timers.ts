// SPDX-License-Identifier: Apache-2.0
// Timers owned by one layer, so close() can cancel them all, and guarded so that a bug in a
// callback is reported instead of escaping into the host's event loop.

import type { Scheduler } from '../ports'

/** A live timer, linked into its set's list until it fires or is cancelled. */
interface Entry {
  prev: Entry | null
  next: Entry | null
  cancelScheduled: (() => void) | null
}

export class TimerSet {
  // A doubly linked list rather than a Set: two timers per request come and go, and a hash
  // table under that churn is rebuilt again and again (garbage the GC then has to trace).
  private head: Entry | null = null
  private count = 0

  constructor(
    private readonly scheduler: Scheduler,
    private readonly onError: (error: unknown) => void
  ) {}

  /** Runs `fn` after `delayMs`; returns an idempotent cancel. */
  after(delayMs: number, fn: () => void): () => void {
    const entry: Entry = { prev: null, next: this.head, cancelScheduled: null }
    if (this.head !== null) this.head.prev = entry
    this.head = entry
    this.count++
    entry.cancelScheduled = this.scheduler.schedule(Math.max(0, delayMs), () => {
      if (!this.unlink(entry)) return
      try {
        fn()
      } catch (error) {
        this.onError(error)
      }
    })
    return () => {
      if (this.unlink(entry)) entry.cancelScheduled?.()
    }
  }

  now(): number {
    return this.scheduler.now()
  }

  get size(): number {
    return this.count
  }

  cancelAll(): void {
    while (this.head !== null) {
      const entry = this.head
      this.unlink(entry)
      entry.cancelScheduled?.()
    }
  }

  /** Takes `entry` out of the list; false when it was out already (fired or cancelled). */
  private unlink(entry: Entry): boolean {
    if (entry.prev === null && this.head !== entry) return false
    if (entry.prev !== null) entry.prev.next = entry.next
    else this.head = entry.next
    if (entry.next !== null) entry.next.prev = entry.prev
    entry.prev = null
    entry.next = null
    this.count--
    return true
  }
}
