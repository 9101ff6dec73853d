// SPDX-License-Identifier: Apache-2.0
// RFC 7252 §4.8 transmission parameters and the times derived from them (§4.8.2). Kept in one
// place so the message layer, the exchange layer and the roles all wait for the same durations.

import type { Random } from '../ports'

export interface TransmissionParameters {
  /** §4.8: base retransmission timeout for a CON (2 s). */
  readonly ackTimeoutMs: number
  /** §4.8: first timeout drawn from [ACK_TIMEOUT, ACK_TIMEOUT * factor] (1.5); ≥ 1 (§4.8.1). */
  readonly ackRandomFactor: number
  /** §4.8: retransmissions of a CON after the first transmission (4). */
  readonly maxRetransmit: number
  /** §4.7: outstanding interactions per peer (1). */
  readonly nstart: number
  /** §8.2: how long a multicast responder may wait before answering (5 s). Not used for unicast. */
  readonly defaultLeisureMs: number
  /** §4.7: average rate towards a peer that does not answer (1 byte/s). Not enforced yet. */
  readonly probingRateBytesPerSecond: number
  /** §4.8.2: the assumed maximum one-way delay through the network (100 s). */
  readonly maxLatencyMs: number
}

/** Times derived from the parameters (§4.8.2); recomputed when a parameter changes. */
export interface DerivedTimes {
  /** Time from the first to the last transmission of a CON (45 s). */
  readonly maxTransmitSpanMs: number
  /** Time from the first transmission of a CON until the sender gives up on the ACK (93 s). */
  readonly maxTransmitWaitMs: number
  /** Time a node takes to turn a CON into an ACK; = ACK_TIMEOUT (2 s). */
  readonly processingDelayMs: number
  /** 2 * MAX_LATENCY + PROCESSING_DELAY (202 s). */
  readonly maxRttMs: number
  /** How long a MID stays in use and a CON is remembered for deduplication (247 s). */
  readonly exchangeLifetimeMs: number
  /** How long a NON's MID stays in use and is remembered for deduplication (145 s). */
  readonly nonLifetimeMs: number
}

export type TransmissionSettings = TransmissionParameters & DerivedTimes

export const DEFAULT_TRANSMISSION_PARAMETERS: TransmissionParameters = {
  ackTimeoutMs: 2_000,
  ackRandomFactor: 1.5,
  maxRetransmit: 4,
  nstart: 1,
  defaultLeisureMs: 5_000,
  probingRateBytesPerSecond: 1,
  maxLatencyMs: 100_000
}

/**
 * The defaults with `overrides` applied, plus the derived times. Throws a RangeError for values
 * §4.8.1 forbids or that cannot work (a factor below 1, a fractional retransmission count).
 */
export function transmissionSettings(
  overrides: Partial<TransmissionParameters> = {}
): TransmissionSettings {
  const p = { ...DEFAULT_TRANSMISSION_PARAMETERS, ...overrides }
  if (!(p.ackTimeoutMs > 0)) throw new RangeError('ACK_TIMEOUT must be positive')
  if (!(p.ackRandomFactor >= 1)) {
    throw new RangeError('ACK_RANDOM_FACTOR must be at least 1 (RFC 7252 §4.8.1)')
  }
  if (!Number.isInteger(p.maxRetransmit) || p.maxRetransmit < 0) {
    throw new RangeError('MAX_RETRANSMIT must be a whole number ≥ 0')
  }
  if (!Number.isInteger(p.nstart) || p.nstart < 1) {
    throw new RangeError('NSTART must be a whole number ≥ 1')
  }
  if (!(p.maxLatencyMs >= 0)) throw new RangeError('MAX_LATENCY must not be negative')
  const maxTransmitSpanMs = p.ackTimeoutMs * (2 ** p.maxRetransmit - 1) * p.ackRandomFactor
  const maxTransmitWaitMs = p.ackTimeoutMs * (2 ** (p.maxRetransmit + 1) - 1) * p.ackRandomFactor
  const processingDelayMs = p.ackTimeoutMs
  return {
    ...p,
    maxTransmitSpanMs,
    maxTransmitWaitMs,
    processingDelayMs,
    maxRttMs: 2 * p.maxLatencyMs + processingDelayMs,
    exchangeLifetimeMs: maxTransmitSpanMs + 2 * p.maxLatencyMs + processingDelayMs,
    nonLifetimeMs: maxTransmitSpanMs + p.maxLatencyMs
  }
}

/** §4.2: the first retransmission timeout, uniformly random in [ACK_TIMEOUT, ACK_TIMEOUT * factor]. */
export function initialTimeoutMs(p: TransmissionParameters, random: Random): number {
  return p.ackTimeoutMs * (1 + random.next() * (p.ackRandomFactor - 1))
}
