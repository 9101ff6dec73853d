// SPDX-License-Identifier: Apache-2.0
// A way to end work that is already under way (a request in flight, a queued request), without
// the DOM's or Node's AbortSignal: core/ has neither.

export class CancelSignal {
  #reason: Error | null = null
  // An array, not a Set: one signal per request, with one or two listeners at a time.
  readonly #listeners: Array<(reason: Error) => void> = []

  get cancelled(): boolean {
    return this.#reason !== null
  }
  get reason(): Error | null {
    return this.#reason
  }
  /** Ends the work once; later calls do nothing. */
  cancel(reason: Error): void {
    if (this.#reason !== null) return
    this.#reason = reason
    const listeners = this.#listeners.splice(0)
    for (const l of listeners) l(reason)
  }
  /** Calls `listener` on cancel (at once if already cancelled); returns an unsubscribe. */
  onCancel(listener: (reason: Error) => void): () => void {
    if (this.#reason !== null) {
      listener(this.#reason)
      return () => undefined
    }
    if (!this.#listeners.includes(listener)) this.#listeners.push(listener)
    return () => {
      const i = this.#listeners.indexOf(listener)
      if (i >= 0) this.#listeners.splice(i, 1)
      return i >= 0
    }
  }
}
