// SPDX-License-Identifier: Apache-2.0
// Typed fan-out of contract events to every carrier (IPC windows, WebSocket clients). Services
// emit; adapters subscribe. A failing listener never stops the others (one broken socket must not
// silence the rest).
import type { EventName, EventPayloads } from '../contract/events'

export type EventListener = <E extends EventName>(name: E, payload: EventPayloads[E]) => void

export class EventHub {
  readonly #listeners = new Set<EventListener>()

  emit<E extends EventName>(name: E, payload: EventPayloads[E]): void {
    for (const l of this.#listeners) {
      try {
        l(name, payload)
      } catch {
        // A carrier's own error handling reports its failures; the hub keeps delivering.
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  get size(): number {
    return this.#listeners.size
  }
}
