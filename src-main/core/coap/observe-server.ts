// SPDX-License-Identifier: Apache-2.0
// The server half of an observation (RFC 7641 §4): the relations our request handler accepted,
// keyed by peer and token (§4.1), and their notifications with sequence numbers (§4.4) as NON
// or CON (§4.5). A relation ends by deregistration (§3.6), an RST or a CON never acknowledged
// (§4.5), a new registration with the same token (§4.1), an error notification (§4.2), our own
// end(), or close().

import type { PeerAddress } from '../ports'
import type { ResponseParts } from './blockwise-server'
import type { EventSink } from './events'
import { tokenKey } from './exchanges'
import { codeClass, Option, type CoapOption, type Code } from './message'
import { withoutOptions, withUintOption } from './options'
import type { TimerSet } from './timers'
import type { MessageTransport, Transmission, TransmissionCallbacks } from './transport'

export type ObserveEndReason = 'deregistered' | 'reset' | 'timeout' | 'replaced' | 'closed' | 'ended'

/**
 * What a request handler returns (as OutgoingResponse.observe) to accept an observation. It only
 * counts for a 2.xx answer to a GET or FETCH with Observe = 0 (RFC 7641 §4.1); for anything else
 * it is ignored and neither callback is ever called.
 */
export interface ObserveAcceptance {
  /** Called once the registration response is sent, with the relation to notify through. */
  onStart(relation: ObserveRelation): void
  /** Called once when the relation ends, saying why. */
  onEnd(reason: ObserveEndReason): void
}

export interface NotificationContent {
  readonly code: Code
  /** Observe, Block2 and Size2 are the endpoint's to set; any given here are dropped. */
  readonly options?: readonly CoapOption[]
  readonly payload?: Uint8Array
}

export interface ObserveRelation {
  readonly peer: PeerAddress
  readonly token: Uint8Array
  /** False once the relation ended, or once an error notification was handed to notify(). */
  readonly active: boolean
  /**
   * Sends a notification (2.xx with the next Observe sequence number; an error code ends the
   * relation after it is sent, RFC 7641 §4.2). NON unless `confirmable`. Does nothing once the
   * relation is not active.
   */
  notify(response: NotificationContent, opts?: { confirmable?: boolean }): void
  /** Ends the relation from our side without sending anything (onEnd gets 'ended'). */
  end(): void
}

export interface ObserveServerOptions {
  readonly transport: Pick<MessageTransport, 'sendNotification'>
  readonly timers: TimerSet
  readonly emit: EventSink
  /** §4.5: at least one CON notification per relation this often (default 24 h in the endpoint). */
  readonly conIntervalMs: number
  /**
   * RFC 7959 §2.6: a body too large for one block of 2^(szx+4) bytes is kept under `bodyKey`
   * (where the follow-up requests for its later blocks find it) and comes back as block 0.
   */
  readonly firstBlock: (bodyKey: string, r: ResponseParts, szx: number) => ResponseParts
}

/** What the request server knows about a registration it answered. */
export interface Registration {
  readonly peer: PeerAddress
  readonly token: Uint8Array
  /** The Block2 cache key of the registering request (server.ts bodyKey). */
  readonly bodyKey: string
  /** The block size the registration response was served at; notifications use it too. */
  readonly szx: number
  readonly acceptance: ObserveAcceptance
}

/** §4.4: Observe carries 24 bits. */
const SEQUENCE_MASK = 0xffffff
/**
 * NON notifications kept matchable for an RST (RFC 7641 §3.6) per relation; older ones are
 * forgotten, and an RST to them is then unmatched (the client RSTs the next one too).
 */
const MAX_TRACKED_NON = 4
const NO_BYTES = new Uint8Array(0)

export class ObserveServer {
  private readonly relations = new Map<string, Relation>()
  /**
   * One counter for every relation of this endpoint: strictly increasing within each relation
   * (§4.4), and a registration replacing another with the same token continues above the old
   * relation's numbers, so the client never sees the new ones as stale (§3.4).
   */
  private sequence = 1
  private closed = false

  constructor(private readonly o: ObserveServerOptions) {}

  /** The next Observe value (24-bit, wrapping; §4.4). */
  nextSequence(): number {
    const v = this.sequence
    this.sequence = (this.sequence + 1) & SEQUENCE_MASK
    return v
  }

  /** Relations currently held. */
  get size(): number {
    return this.relations.size
  }

  /** Starts a relation after its registration response went out; replaces one with the same token (§4.1). */
  register(reg: Registration): void {
    if (this.closed) return
    const key = tokenKey(reg.peer, reg.token)
    this.relations.get(key)?.stop('replaced')
    const relation: Relation = new Relation(reg, this.o, () => this.nextSequence(), () => {
      if (this.relations.get(key) === relation) this.relations.delete(key)
    })
    this.relations.set(key, relation)
    try {
      reg.acceptance.onStart(relation)
    } catch (error) {
      this.o.emit({ type: 'internal-error', error })
    }
  }

  /** Ends the relation of this peer and token, if there is one. */
  end(peer: PeerAddress, token: Uint8Array, reason: ObserveEndReason): void {
    if (this.relations.size === 0) return
    this.relations.get(tokenKey(peer, token))?.stop(reason)
  }

  close(): void {
    this.closed = true
    for (const relation of [...this.relations.values()]) relation.stop('closed')
  }
}

interface Pending {
  readonly content: NotificationContent
  readonly confirmable: boolean
  /** An error code: the last notification of the relation (§4.2). */
  readonly final: boolean
}

class Relation implements ObserveRelation {
  readonly peer: PeerAddress
  readonly token: Uint8Array
  private state: 'active' | 'closing' | 'ended' = 'active'
  /** The CON notification waiting for its ACK, if any. */
  private inFlight: Transmission | null = null
  /** The newest notification produced while `inFlight` was out (§4.5.2). */
  private waiting: Pending | null = null
  private readonly nons: Transmission[] = []
  private lastConAt: number

  constructor(
    private readonly reg: Registration,
    private readonly o: ObserveServerOptions,
    private readonly nextSequence: () => number,
    private readonly forget: () => void
  ) {
    this.peer = reg.peer
    this.token = reg.token
    // The 24-hour clock of §4.5 starts with the registration.
    this.lastConAt = o.timers.now()
  }

  get active(): boolean {
    return this.state === 'active'
  }

  notify(content: NotificationContent, opts: { confirmable?: boolean } = {}): void {
    if (this.state !== 'active') return
    const final = codeClass(content.code) !== 2
    // §4.2: after an error notification nothing more goes out on this relation.
    if (final) this.state = 'closing'
    let next: Pending = { content, confirmable: opts.confirmable === true, final }
    if (this.inFlight !== null) {
      // §4.5.2 lets the newest state take the place of a CON notification still being
      // retransmitted. We keep at most one CON in flight per relation and let the newest state
      // wait in one slot, sent when that CON is acknowledged (dropped with the relation if it
      // times out): notifications stay in order, nothing queues up, and the message layer's
      // retransmission stays as it is. A confirmable request is not lost by being replaced.
      if (this.waiting?.confirmable === true && !next.confirmable) next = { ...next, confirmable: true }
      this.waiting = next
      return
    }
    this.transmit(next)
  }

  end(): void {
    this.stop('ended')
  }

  /** Ends the relation once: stops what is still being sent for it and tells the handler why. */
  stop(reason: ObserveEndReason): void {
    if (this.state === 'ended') return
    this.state = 'ended'
    this.waiting = null
    this.inFlight?.cancel()
    this.inFlight = null
    for (const t of this.nons) t.cancel()
    this.nons.length = 0
    this.forget()
    try {
      this.reg.acceptance.onEnd(reason)
    } catch (error) {
      this.o.emit({ type: 'internal-error', error })
    }
  }

  private transmit(n: Pending): void {
    const now = this.o.timers.now()
    // §4.5: NON unless asked otherwise, but a CON at least every conIntervalMs, so a client that
    // has gone away without a word is found out (it never acknowledges).
    const confirmable = n.confirmable || now - this.lastConAt >= this.o.conIntervalMs
    let options = withoutOptions(n.content.options ?? [], Option.OBSERVE, Option.BLOCK2, Option.SIZE2)
    // §4.2: a 2.xx carries the next sequence number; an error carries none and is the last.
    if (!n.final) options = withUintOption(options, Option.OBSERVE, this.nextSequence())
    const whole: ResponseParts = { code: n.content.code, options, payload: n.content.payload ?? NO_BYTES }
    const parts = this.o.firstBlock(this.reg.bodyKey, whole, this.reg.szx)
    let sent: Transmission | null = null
    const callbacks: TransmissionCallbacks = n.final
      ? // The relation is over once this goes out; what becomes of the message no longer matters.
        { onReset: () => undefined, onGiveUp: () => undefined }
      : {
          onEmptyAck: () => {
            if (sent === null || this.inFlight !== sent) return
            this.inFlight = null
            const w = this.waiting
            this.waiting = null
            if (w !== null && this.state !== 'ended') this.transmit(w)
          },
          // §3.6, §4.5: an RST to a notification, CON or NON, ends the relation.
          onReset: () => this.stop('reset'),
          // §4.5: a CON never acknowledged after MAX_RETRANSMIT ends it too.
          onGiveUp: () => {
            if (sent !== null && this.inFlight === sent) this.stop('timeout')
          }
        }
    try {
      sent = this.o.transport.sendNotification(
        this.peer,
        { code: parts.code, token: this.token, options: parts.options, payload: parts.payload },
        confirmable,
        callbacks
      )
    } catch (error) {
      // It could not be encoded (e.g. an option too long): nothing went out; the relation goes on.
      this.o.emit({ type: 'internal-error', error })
      if (n.final) this.stop('ended')
      return
    }
    if (n.final) {
      // A NON is never acknowledged: stop matching it now. A CON keeps being retransmitted.
      if (!confirmable) sent.cancel()
      this.stop('ended')
      return
    }
    if (confirmable) {
      this.lastConAt = now
      this.inFlight = sent
    } else {
      this.nons.push(sent)
      if (this.nons.length > MAX_TRACKED_NON) this.nons.shift()?.cancel()
    }
  }
}
