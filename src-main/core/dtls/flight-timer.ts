// SPDX-License-Identifier: Apache-2.0
// Flight retransmission timing (RFC 6347 §4.2.4.1; dtls-facts §2.5): the first wait is 1 s, each
// retransmission doubles it up to 60 s, and after a bounded number of transmissions the
// handshake gives up. LwM2M devices sleep and roam, so the caps are settings, not constants.

export interface FlightTiming {
  /** The first wait for an answer to a flight; RFC 6347 recommends 1 s. */
  readonly initialMs: number
  /** The wait never grows past this; RFC 6347 says 60 s. */
  readonly maxMs: number
  /** Transmissions of one flight (the first one included) before the handshake fails. */
  readonly maxTransmissions: number
}

export const DEFAULT_FLIGHT_TIMING: FlightTiming = { initialMs: 1000, maxMs: 60_000, maxTransmissions: 7 }

/** The wait after transmission number `n` (1 = the first): initial × 2^(n−1), capped. */
export function flightWait(t: FlightTiming, n: number): number {
  return Math.min(t.maxMs, t.initialMs * 2 ** Math.max(0, n - 1))
}
