// SPDX-License-Identifier: Apache-2.0
// A Scheduler on a fake clock: nothing runs until the test moves time, and then callbacks run in
// order of due time (ties in the order they were scheduled), with promises settling in between.

import type { Scheduler } from '../../../../src-main/core/ports'

interface Entry {
  readonly at: number
  readonly seq: number
  readonly fn: () => void
  cancelled: boolean
}

/** Lets every pending promise reaction run (a macrotask turn flushes the microtask queue). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

export class FakeScheduler implements Scheduler {
  private t = 0
  private seq = 0
  private readonly heap: Entry[] = []

  now(): number {
    return this.t
  }

  schedule(delayMs: number, fn: () => void): () => void {
    const e: Entry = { at: this.t + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false }
    this.push(e)
    return () => {
      e.cancelled = true
    }
  }

  /** Callbacks scheduled and neither run nor cancelled. */
  get pending(): number {
    return this.heap.filter((e) => !e.cancelled).length
  }

  /** Moves the clock forward by `ms`, running everything that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms
    for (;;) {
      await flush()
      const next = this.peek()
      if (next === undefined || next.at > target) break
      this.pop()
      this.t = next.at
      next.fn()
    }
    this.t = target
    await flush()
  }

  /**
   * Runs timers one by one until `p` settles; returns its value or throws its error. Fails when
   * nothing is left to run (a stall) or after `limitMs` of fake time.
   */
  async run<T>(p: Promise<T>, limitMs = 10_000_000): Promise<T> {
    let settled = false
    const watched = p.then(
      (v) => {
        settled = true
        return v
      },
      (e: unknown) => {
        settled = true
        throw e
      }
    )
    watched.catch(() => undefined)
    const limit = this.t + limitMs
    for (;;) {
      await flush()
      if (settled) return watched
      const next = this.peek()
      if (next === undefined) throw new Error(`stalled at ${this.t} ms: nothing scheduled, promise pending`)
      if (next.at > limit) throw new Error(`still pending after ${limitMs} ms of fake time`)
      this.pop()
      this.t = next.at
      next.fn()
    }
  }

  private peek(): Entry | undefined {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop()
    return this.heap[0]
  }

  private before(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq)
  }

  private push(e: Entry): void {
    const h = this.heap
    h.push(e)
    let i = h.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.before(h[i]!, h[parent]!)) break
      ;[h[i], h[parent]] = [h[parent]!, h[i]!]
      i = parent
    }
  }

  private pop(): Entry | undefined {
    const h = this.heap
    const top = h[0]
    const last = h.pop()
    if (h.length > 0 && last !== undefined) {
      h[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < h.length && this.before(h[l]!, h[m]!)) m = l
        if (r < h.length && this.before(h[r]!, h[m]!)) m = r
        if (m === i) break
        ;[h[i], h[m]] = [h[m]!, h[i]!]
        i = m
      }
    }
    return top
  }
}
