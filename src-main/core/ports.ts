// SPDX-License-Identifier: Apache-2.0
// The only doors out of core/: everything with a side effect (time, randomness, I/O, capture)
// is handed in through these interfaces so that core code stays deterministic under test.

/** Monotonic milliseconds; tests pass a fake clock. */
export interface Clock {
  now(): number
}

/** Randomness for tokens, message IDs and jitter; tests pass a seeded source. */
export interface Random {
  /** A float in [0, 1). */
  next(): number
  bytes(length: number): Uint8Array
}

/** Runs callbacks later; the only way core code waits. Tests drive a fake one. */
export interface Scheduler {
  /** Monotonic milliseconds. */
  now(): number
  /** Calls `fn` after `delayMs`; returns a function that cancels it. */
  schedule(delayMs: number, fn: () => void): () => void
}

/**
 * Who is on the other end of a link. `key` identifies the peer for matching and deduplication
 * (e.g. "udp:[::1]:56830"); with DTLS Connection ID it names the session, not the address.
 */
export interface PeerAddress {
  readonly key: string
  /** For people: "192.0.2.1:5683". */
  readonly display: string
}

/** A datagram link (UDP, DTLS, later SMS/NIDD): unreliable, message-oriented. */
export interface DatagramLink {
  send(peer: PeerAddress, datagram: Uint8Array): void
  /** One receiver; the CoAP endpoint on top. */
  onReceive(handler: (peer: PeerAddress, datagram: Uint8Array) => void): void
}
