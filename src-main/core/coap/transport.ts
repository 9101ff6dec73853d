// SPDX-License-Identifier: Apache-2.0
// The seam between the exchange layer (tokens, matching, block-wise, observe) and what carries
// its messages. Over datagrams that is the message layer (RFC 7252 §4: types, MIDs,
// retransmission, deduplication); over a stream (RFC 8323) it will be framing, with nothing to
// retransmit. The exchange layer only ever sees this interface.

import type { PeerAddress } from '../ports'
import type { CoapMessage, CoapOption, Code } from './message'

/** A request or response before the transport has given it a type and a Message ID. */
export interface OutgoingMessage {
  readonly code: Code
  readonly token: Uint8Array
  readonly options: readonly CoapOption[]
  readonly payload: Uint8Array
}

export interface TransmissionCallbacks {
  /** An Empty ACK: the peer has the request; a separate response may follow (RFC 7252 §5.2.2). */
  onEmptyAck?(): void
  /** The peer answered with RST (RFC 7252 §4.2, §4.3). */
  onReset(): void
  /** No ACK after MAX_RETRANSMIT retransmissions (RFC 7252 §4.2). */
  onGiveUp(attempts: number): void
}

export interface Transmission {
  /** Transmissions so far (1 before any retransmission). */
  readonly attempts: number
  /** Stops retransmitting and forgets the message (e.g. a response arrived). Idempotent. */
  cancel(): void
}

/** What to do with a response: 'reject' answers it with RST (RFC 7252 §4.2, RFC 7641 §3.6). */
export type ResponseVerdict = 'accept' | 'reject'

/** Sends the one response to an incoming request; piggybacked or separate is the transport's call. */
export interface Responder {
  /** Whether the request was a CON (RFC 7252 §5.2). */
  readonly confirmable: boolean
  /** Throws if the message cannot be encoded; then nothing was sent and it may be called again. */
  respond(message: OutgoingMessage): void
}

/** The exchange layer as the transport sees it. */
export interface MessageSink {
  /** A request, already deduplicated. */
  onRequest(peer: PeerAddress, message: CoapMessage, responder: Responder): void
  /** A response (piggybacked, or separate CON/NON), already deduplicated. */
  onResponse(peer: PeerAddress, message: CoapMessage): ResponseVerdict
}

export interface MessageTransport {
  attach(sink: MessageSink): void
  /**
   * Sends a request. `confirmable` asks for CON (retransmitted until acknowledged); transports
   * that are reliable anyway may ignore it. Throws if the message cannot be encoded.
   */
  sendRequest(
    peer: PeerAddress,
    message: OutgoingMessage,
    confirmable: boolean,
    callbacks: TransmissionCallbacks
  ): Transmission
  /**
   * Sends a notification (RFC 7641 §4.2): a response to no request in flight, CON or NON, whose
   * ACK or RST is matched by Message ID (RFC 7252 §4.2, §4.3). A NON stays matchable for an RST
   * until it is cancelled, so the caller cancels the ones it no longer cares about.
   */
  sendNotification(
    peer: PeerAddress,
    message: OutgoingMessage,
    confirmable: boolean,
    callbacks: TransmissionCallbacks
  ): Transmission
  /** Stops every timer; nothing is sent or delivered afterwards. */
  close(): void
}
