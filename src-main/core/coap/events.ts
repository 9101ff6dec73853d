// SPDX-License-Identifier: Apache-2.0
// What the endpoint tells the inspector and the log. Events are data; emitting one never fails
// the operation that caused it.

import type { PeerAddress } from '../ports'
import type { Violation } from '../violation'
import type { CoapMessage } from './message'

export type EndpointEvent =
  /** A message went out for the first time. */
  | { readonly type: 'sent'; readonly peer: PeerAddress; readonly message: CoapMessage }
  /** A CON went out again (RFC 7252 §4.2); `attempt` counts transmissions, 2 = first retry. */
  | {
      readonly type: 'retransmitted'
      readonly peer: PeerAddress
      readonly message: CoapMessage
      readonly attempt: number
    }
  | { readonly type: 'received'; readonly peer: PeerAddress; readonly message: CoapMessage }
  /** A CON got neither ACK nor RST after MAX_RETRANSMIT retransmissions (RFC 7252 §4.2). */
  | {
      readonly type: 'timeout'
      readonly peer: PeerAddress
      readonly message: CoapMessage
      readonly attempts: number
    }
  /**
   * A datagram the codec found fault with. `action` is what was done: 'rst' (RFC 7252 §4.2),
   * 'ignore', or 'process' when the message was still usable.
   */
  | {
      readonly type: 'malformed'
      readonly peer: PeerAddress
      readonly datagram: Uint8Array
      readonly violations: readonly Violation[]
      readonly action: 'rst' | 'ignore' | 'process'
    }
  /** A CON or NON seen before within its lifetime (RFC 7252 §4.5); processed only once. */
  | { readonly type: 'duplicate'; readonly peer: PeerAddress; readonly message: CoapMessage }
  /** An ACK, RST or response that belongs to no exchange (RFC 7252 §4.2, §5.3.2). */
  | { readonly type: 'unmatched'; readonly peer: PeerAddress; readonly message: CoapMessage }
  /** A response for a request that had already ended (deadline or cancel); acknowledged, not delivered. */
  | { readonly type: 'late'; readonly peer: PeerAddress; readonly message: CoapMessage }
  /** The request handler threw or returned something unsendable; the peer got 5.00. */
  | {
      readonly type: 'handler-error'
      readonly peer: PeerAddress
      readonly request: CoapMessage
      readonly error: unknown
    }
  /** A bug or a failing link, caught so that one datagram cannot stop the endpoint. */
  | { readonly type: 'internal-error'; readonly error: unknown }

export type EventSink = (e: EndpointEvent) => void
