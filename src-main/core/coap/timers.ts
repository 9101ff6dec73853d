// SPDX-License-Identifier: Apache-2.0
// Timers owned by one layer, so close() can cancel them all, and guarded so that a bug in a
// callback is reported instead of escaping into the host's event loop.

import type { Scheduler } from '../ports'

export class TimerSet {
  private readonly live = new Set<() => void>()

  constructor(
    private readonly scheduler: Scheduler,
    private readonly onError: (error: unknown) => void
  ) {}

  /** Runs `fn` after `delayMs`; returns an idempotent cancel. */
  after(delayMs: number, fn: () => void): () => void {
    let cancelScheduled: (() => void) | null = null
    const cancel = (): void => {
      if (!this.live.delete(cancel)) return
      cancelScheduled?.()
    }
    this.live.add(cancel)
    cancelScheduled = this.scheduler.schedule(Math.max(0, delayMs), () => {
      if (!this.live.delete(cancel)) return
      try {
        fn()
      } catch (error) {
        this.onError(error)
      }
    })
    return cancel
  }

  now(): number {
    return this.scheduler.now()
  }

  get size(): number {
    return this.live.size
  }

  cancelAll(): void {
    for (const cancel of [...this.live]) cancel()
  }
}
