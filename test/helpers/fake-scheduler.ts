// A Scheduler (core/ports.ts) driven by hand: time moves only when a test calls advance().
import type { Random, Scheduler } from '../../src-main/core/ports'

export class FakeScheduler implements Scheduler {
  #now = 0
  #seq = 0
  readonly #due: { at: number; seq: number; fn: () => void; cancelled: boolean }[] = []

  now(): number {
    return this.#now
  }
  schedule(delayMs: number, fn: () => void): () => void {
    const task = { at: this.#now + Math.max(0, delayMs), seq: this.#seq++, fn, cancelled: false }
    this.#due.push(task)
    return () => {
      task.cancelled = true
    }
  }
  /** Runs every task due within `ms`, in time order, moving the clock to each. */
  advance(ms: number): void {
    const end = this.#now + ms
    for (;;) {
      this.#due.sort((a, b) => a.at - b.at || a.seq - b.seq)
      const i = this.#due.findIndex((t) => !t.cancelled && t.at <= end)
      if (i < 0) break
      const [t] = this.#due.splice(i, 1)
      if (!t) break
      this.#now = t.at
      t.fn()
    }
    this.#now = end
  }
  get pending(): number {
    return this.#due.filter((t) => !t.cancelled).length
  }
}

/** Deterministic randomness (mulberry32). */
export class SeededRandom implements Random {
  #s: number
  constructor(seed = 1) {
    this.#s = seed >>> 0
  }
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i++) out[i] = Math.floor(this.next() * 256)
    return out
  }
}
