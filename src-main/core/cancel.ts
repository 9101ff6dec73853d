// SPDX-License-Identifier: Apache-2.0
// A way to end work that is already under way (a request in flight, a queued request), without
// the DOM's or Node's AbortSignal: core/ has neither.

export class CancelSignal {
  #reason: Error | null = null
  readonly #listeners = new Set<(reason: Error) => void>()

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
    for (const l of [...this.#listeners]) l(reason)
    this.#listeners.clear()
  }
  /** Calls `listener` on cancel (at once if already cancelled); returns an unsubscribe. */
  onCancel(listener: (reason: Error) => void): () => void {
    if (this.#reason !== null) {
      listener(this.#reason)
      return () => undefined
    }
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
}
