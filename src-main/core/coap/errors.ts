// SPDX-License-Identifier: Apache-2.0
// Why a request failed, as types the roles can tell apart (a dead device is not a refusing one).

import type { CoapMessage } from './message'

export class CoapError extends Error {
  override name = 'CoapError'
}

/**
 * No ACK after MAX_RETRANSMIT retransmissions (RFC 7252 §4.2), or no response within the
 * request's deadline. `attempts` counts transmissions of the last request message.
 */
export class CoapTimeoutError extends CoapError {
  override name = 'CoapTimeoutError'
  constructor(
    readonly attempts: number,
    readonly waitingFor: 'ack' | 'response'
  ) {
    super(
      waitingFor === 'ack'
        ? `no acknowledgement after ${attempts} transmissions`
        : `no response (${attempts} transmissions)`
    )
  }
}

/** The peer answered with RST (RFC 7252 §4.2, §4.3): it could not or would not process it. */
export class CoapResetError extends CoapError {
  override name = 'CoapResetError'
  constructor() {
    super('the peer reset the exchange')
  }
}

/** The endpoint was closed while the request was pending; `reason` says why when the link knows (a serial line unplugged). */
export class CoapClosedError extends CoapError {
  override name = 'CoapClosedError'
  constructor(reason?: string) {
    super(reason ?? 'the endpoint was closed')
  }
}

/** A block-wise transfer (RFC 7959) could not be completed; `response` is what ended it. */
export class CoapBlockwiseError extends CoapError {
  override name = 'CoapBlockwiseError'
  constructor(
    message: string,
    readonly response: CoapMessage | null = null
  ) {
    super(message)
  }
}
