// SPDX-License-Identifier: Apache-2.0
// The client half of an observation (RFC 7641): the token stays registered after the first
// response, notifications are delivered in order with stale ones dropped (§3.4), and the
// relation ends by our cancellation (§3.6) or the server's final response (§3.2).

import type { PeerAddress, Scheduler } from '../ports'
import type { EventSink } from './events'
import type { TokenHandler } from './exchanges'
import { blockOption } from './block'
import { codeClass, Option, type CoapMessage, type CoapOption, type Code } from './message'
import { isNewerNotification } from './observe-freshness'
import { uintOption } from './options'
import type { ResponseVerdict } from './transport'

/** One notification, with the whole body when it came block-wise (RFC 7959 §2.6). */
export interface CoapNotification {
  readonly peer: PeerAddress
  readonly code: Code
  readonly options: readonly CoapOption[]
  readonly payload: Uint8Array
  /** The Observe value (24-bit sequence number). */
  readonly sequence: number
  readonly confirmable: boolean
}

export type ObservationEnd =
  /** We cancelled it (GET with Observe = 1, or RST to the next notification). */
  | { readonly reason: 'cancelled' }
  /** The server ended it: a response without Observe or with an error code (§3.2, §4.2). */
  | { readonly reason: 'server'; readonly response: CoapMessage }
  /** The registration response carried no Observe: the server does not observe (§4.1). */
  | { readonly reason: 'not-registered' }
  | { readonly reason: 'closed' }

export interface ObserveClientOptions {
  readonly peer: PeerAddress
  readonly scheduler: Scheduler
  readonly emit: EventSink
  readonly onNotification: (n: CoapNotification) => void
  /** Fetches the rest of a block-wise notification; resolves to the whole message. */
  readonly complete: (first: CoapMessage) => Promise<CoapMessage>
  readonly onEnd: (end: ObservationEnd) => void
}

export class ObserveClient implements TokenHandler {
  private state: 'active' | 'cancelling' | 'ended' = 'active'
  private freshest: { v: number; t: number } | null = null
  /** Order in which fresh notifications arrived, and the last one handed out. */
  private arrived = 0
  private delivered = 0

  constructor(private readonly o: ObserveClientOptions) {}

  get active(): boolean {
    return this.state === 'active'
  }

  /** The registration response, which sets the first sequence number (§3.4). */
  start(response: CoapMessage): void {
    const v = uintOption(response, Option.OBSERVE)
    if (v !== null) this.freshest = { v, t: this.o.scheduler.now() }
  }

  onResponse(m: CoapMessage): ResponseVerdict {
    if (this.state === 'ended') return 'reject'
    // While a deregistering GET is on its way, notifications are acknowledged but not delivered.
    if (this.state === 'cancelling') return 'accept'
    const v = uintOption(m, Option.OBSERVE)
    if (v === null || codeClass(m.code) !== 2) {
      // §3.2/§4.2: a response without Observe, or an error, ends the relation.
      this.end({ reason: 'server', response: m })
      return 'accept'
    }
    const now = this.o.scheduler.now()
    if (this.freshest !== null && !isNewerNotification(this.freshest.v, this.freshest.t, v, now)) {
      return 'accept'
    }
    this.freshest = { v, t: now }
    const order = ++this.arrived
    const b2 = blockOption(m, Option.BLOCK2)
    if (b2 !== null && b2.more) {
      // RFC 7959 §2.6: a notification carries the first block; fetch the rest with plain GETs.
      this.o.complete(m).then(
        (whole) => this.deliver(order, whole, v),
        (error: unknown) => this.o.emit({ type: 'internal-error', error })
      )
    } else {
      this.deliver(order, m, v)
    }
    return 'accept'
  }

  beginCancel(): void {
    if (this.state === 'active') this.state = 'cancelling'
  }

  end(end: ObservationEnd): void {
    if (this.state === 'ended') return
    this.state = 'ended'
    this.o.onEnd(end)
  }

  private deliver(order: number, m: CoapMessage, sequence: number): void {
    // A block-wise notification may finish after a newer one: the older is stale by then.
    if (this.state !== 'active' || order <= this.delivered) return
    this.delivered = order
    try {
      this.o.onNotification({
        peer: this.o.peer,
        code: m.code,
        options: m.options,
        payload: m.payload,
        sequence,
        confirmable: m.type === 'CON'
      })
    } catch (error) {
      this.o.emit({ type: 'internal-error', error })
    }
  }
}
