// SPDX-License-Identifier: Apache-2.0
// The server's registrations: one per endpoint name, found by endpoint or by location id.
import type { PeerAddress } from '../../ports'
import type { RegisterParams, RegisteredObject } from './registration'

export interface Registration extends RegisterParams {
  /** Location id handed out in 2.01 (Location-Path rd/{id}). */
  readonly id: string
  readonly peer: PeerAddress
  readonly objects: readonly RegisteredObject[]
  readonly alternatePath: string | null
  readonly contentFormats: readonly number[]
  readonly registeredAt: number
  readonly updatedAt: number
  /**
   * Last time any message came from the device (queue mode: it is awake for a while after). The
   * one field updated in place: every answer sets it, and copying the registration for that
   * promoted a fresh copy per request into the old generation (issue 12, server speed).
   */
  lastSeen: number
  /** null when lifetime is 0 (no expiry). */
  readonly expiresAt: number | null
}

export class RegistrationTable {
  readonly #byId = new Map<string, Registration>()
  // Endpoint straight to the registration (not to its id): every request looks a device up
  // several times, and with 10 000 devices each lookup is a cache miss.
  readonly #byEndpoint = new Map<string, Registration>()
  /** Peer address key → endpoint: Send (/dp) names no registration, only comes from an address. */
  readonly #byPeer = new Map<string, string>()

  get size(): number {
    return this.#byId.size
  }
  byId(id: string): Registration | undefined {
    return this.#byId.get(id)
  }
  byEndpoint(endpoint: string): Registration | undefined {
    return this.#byEndpoint.get(endpoint)
  }
  /** The registration whose device last spoke from `peerKey`. */
  byPeer(peerKey: string): Registration | undefined {
    const endpoint = this.#byPeer.get(peerKey)
    return endpoint === undefined ? undefined : this.#byEndpoint.get(endpoint)
  }
  /** Stores `r`; returns the registration it replaced (same endpoint), if any. */
  put(r: Registration): Registration | undefined {
    const old = this.#byEndpoint.get(r.endpoint)
    if (old && old.id !== r.id) this.#byId.delete(old.id)
    if (old && old.peer.key !== r.peer.key && this.#byPeer.get(old.peer.key) === r.endpoint) this.#byPeer.delete(old.peer.key)
    this.#byId.set(r.id, r)
    this.#byEndpoint.set(r.endpoint, r)
    if (old?.peer.key !== r.peer.key) this.#byPeer.set(r.peer.key, r.endpoint)
    return old && old.id !== r.id ? old : undefined
  }
  remove(id: string): Registration | undefined {
    const r = this.#byId.get(id)
    if (!r) return undefined
    this.#byId.delete(id)
    if (this.#byEndpoint.get(r.endpoint)?.id === id) {
      this.#byEndpoint.delete(r.endpoint)
      if (this.#byPeer.get(r.peer.key) === r.endpoint) this.#byPeer.delete(r.peer.key)
    }
    return r
  }
  all(): Registration[] {
    return [...this.#byId.values()]
  }
}
