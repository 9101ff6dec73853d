// SPDX-License-Identifier: Apache-2.0
// The RFC 7252 §4 message layer over a datagram link: message types, Message IDs, CON
// retransmission with exponential back-off, ACK/RST matching, deduplication, and the choice
// between a piggybacked and a separate response. It knows nothing of tokens or resources: those
// belong to the exchange layer above, which a stream link (RFC 8323) will use without this file.

import type { DatagramLink, PeerAddress, Random } from '../ports'
import type { EventSink } from './events'
import { codeClass, EMPTY, type CoapMessage, type MessageCodec } from './message'
import { TimerSet } from './timers'
import { DedupCache, type Seen } from './dedup-cache'
import { PeerNumberTable } from './peer-number-table'
import { initialTimeoutMs, type TransmissionSettings } from './transmission'
import type {
  MessageSink,
  MessageTransport,
  OutgoingMessage,
  Responder,
  Transmission,
  TransmissionCallbacks
} from './transport'

export interface MessageLayerOptions {
  readonly link: DatagramLink
  readonly codec: MessageCodec
  readonly timers: TimerSet
  readonly random: Random
  readonly settings: TransmissionSettings
  /** How long a CON request may wait for its piggybacked response before an Empty ACK goes out. */
  readonly ackDelayMs: number
  readonly emit: EventSink
  /**
   * Most received messages remembered for deduplication (§4.5); past it the oldest are forgotten
   * early, so a flood cannot grow memory without bound. Default 50 000.
   */
  readonly maxDedupEntries?: number
  /** False when nobody listens to events: the per-message 'sent'/'received' events are then not built. */
  readonly listening?: boolean
}

/** A CON or NON we sent and may still hear an ACK or RST for; the sender holds it as its Transmission. */
class Outstanding implements Transmission {
  attempts = 1
  cancelTimer: (() => void) | null = null

  constructor(
    readonly layer: MessageLayer,
    readonly peer: PeerAddress,
    readonly message: CoapMessage,
    readonly datagram: Uint8Array,
    readonly callbacks: TransmissionCallbacks,
    public timeoutMs: number
  ) {}

  cancel(): void {
    this.layer.forget(this)
  }
}

const NO_BYTES = new Uint8Array(0)

export class MessageLayer implements MessageTransport {
  private sink: MessageSink | null = null
  private nextMid: number
  /** By peer and Message ID. */
  private readonly outstanding = new PeerNumberTable<Outstanding>()
  private readonly seen: DedupCache
  private closed = false

  constructor(private readonly o: MessageLayerOptions) {
    // §4.4: randomise the first MID so a restarted endpoint does not reuse recent ones.
    this.nextMid = Math.floor(o.random.next() * 0x10000) & 0xffff
    this.seen = new DedupCache(o.maxDedupEntries ?? 50_000)
    o.link.onReceive((peer, datagram) => this.receive(peer, datagram))
  }

  attach(sink: MessageSink): void {
    this.sink = sink
  }

  close(): void {
    this.closed = true
    this.outstanding.clear()
    this.seen.clear()
  }

  sendRequest(
    peer: PeerAddress,
    message: OutgoingMessage,
    confirmable: boolean,
    callbacks: TransmissionCallbacks
  ): Transmission {
    return this.sendTracked(peer, message, confirmable ? 'CON' : 'NON', callbacks)
  }

  sendNotification(
    peer: PeerAddress,
    message: OutgoingMessage,
    confirmable: boolean,
    callbacks: TransmissionCallbacks
  ): Transmission {
    // The same bookkeeping as a request: retransmitted if CON, matched to its ACK or RST by MID.
    return this.sendTracked(peer, message, confirmable ? 'CON' : 'NON', callbacks)
  }

  /** Sends a CON or NON and remembers it for ACK/RST matching (and retransmits a CON). */
  private sendTracked(
    peer: PeerAddress,
    m: OutgoingMessage,
    type: 'CON' | 'NON',
    callbacks: TransmissionCallbacks
  ): Transmission {
    const message: CoapMessage = { type, messageId: this.allocateMid(peer), ...m }
    const datagram = this.o.codec.encode(message)
    const entry = new Outstanding(this, peer, message, datagram, callbacks, initialTimeoutMs(this.o.settings, this.o.random))
    this.outstanding.set(peer.key, message.messageId, entry)
    this.transmit(peer, message, datagram)
    if (type === 'CON') this.armRetransmission(entry)
    return entry
  }

  /** Stops retransmitting `entry` and forgets it (its Transmission was cancelled, or it was answered). */
  forget(entry: Outstanding): void {
    entry.cancelTimer?.()
    entry.cancelTimer = null
    const { peer, message } = entry
    if (this.outstanding.get(peer.key, message.messageId) === entry) this.outstanding.delete(peer.key, message.messageId)
  }

  /** §4.2: resend after the timeout, doubling it, MAX_RETRANSMIT times; then give up. */
  private armRetransmission(entry: Outstanding): void {
    entry.cancelTimer = this.o.timers.after(entry.timeoutMs, () => {
      entry.cancelTimer = null
      if (this.outstanding.get(entry.peer.key, entry.message.messageId) !== entry) return
      if (entry.attempts - 1 < this.o.settings.maxRetransmit) {
        entry.attempts++
        entry.timeoutMs *= 2
        const { peer, message, attempts } = entry
        this.o.emit({ type: 'retransmitted', peer, message, attempt: attempts })
        this.write(entry.peer, entry.datagram)
        this.armRetransmission(entry)
      } else {
        this.outstanding.delete(entry.peer.key, entry.message.messageId)
        const { peer, message, attempts } = entry
        this.o.emit({ type: 'timeout', peer, message, attempts })
        entry.callbacks.onGiveUp(entry.attempts)
      }
    })
  }

  /** §4.4: a MID is not reused towards a peer while an exchange with it may still be live. */
  private allocateMid(peer: PeerAddress): number {
    for (let i = 0; i < 0x10000; i++) {
      const mid = this.nextMid
      this.nextMid = (this.nextMid + 1) & 0xffff
      if (!this.outstanding.has(peer.key, mid)) return mid
    }
    throw new RangeError('all 65536 Message IDs towards this peer are in use')
  }

  private transmit(peer: PeerAddress, message: CoapMessage, datagram: Uint8Array): void {
    if (this.o.listening !== false) this.o.emit({ type: 'sent', peer, message })
    this.write(peer, datagram)
  }

  private write(peer: PeerAddress, datagram: Uint8Array): void {
    if (this.closed) return
    try {
      this.o.link.send(peer, datagram)
    } catch (error) {
      // A failing socket is the transport's story; CON retransmission or the request's deadline
      // turns it into a result for the caller.
      this.o.emit({ type: 'internal-error', error })
    }
  }

  /** ACK or RST for a received CON/NON; both echo its MID (§4.2) and are Empty unless piggybacking. */
  private sendEmpty(peer: PeerAddress, type: 'ACK' | 'RST', messageId: number): Uint8Array {
    const message: CoapMessage = {
      type,
      code: EMPTY,
      messageId,
      token: NO_BYTES,
      options: [],
      payload: NO_BYTES
    }
    const datagram = this.o.codec.encode(message)
    this.transmit(peer, message, datagram)
    return datagram
  }

  private receive(peer: PeerAddress, datagram: Uint8Array): void {
    if (this.closed) return
    try {
      this.receiveUnguarded(peer, datagram)
    } catch (error) {
      // Nothing a peer sends may stop the endpoint (DESIGN.md: a malformed packet is data).
      this.o.emit({ type: 'internal-error', error })
    }
  }

  private receiveUnguarded(peer: PeerAddress, datagram: Uint8Array): void {
    const decoded = this.o.codec.decode(datagram)
    const action = decoded.reject ?? (decoded.message === null ? 'ignore' : 'process')
    if (decoded.violations.length > 0 || action !== 'process') {
      this.o.emit({ type: 'malformed', peer, datagram, violations: decoded.violations, action })
    }
    if (action === 'rst') {
      // §4.2: a CON with a format error is rejected with a RST echoing its MID.
      if (decoded.messageId !== null) this.sendEmpty(peer, 'RST', decoded.messageId)
      return
    }
    const m = decoded.message
    if (action === 'ignore' || m === null) return
    if (this.o.listening !== false) this.o.emit({ type: 'received', peer, message: m })
    if (m.type === 'ACK' || m.type === 'RST') this.receiveAckOrRst(peer, m)
    else this.receiveConOrNon(peer, m, m.type)
  }

  private receiveAckOrRst(peer: PeerAddress, m: CoapMessage): void {
    const entry = this.outstanding.get(peer.key, m.messageId)
    // §4.2: an RST must be Empty and an ACK must not carry a request; never answer either.
    const acceptable = m.type === 'RST' ? m.code === EMPTY : m.code === EMPTY || codeClass(m.code) >= 2
    if (entry === undefined || !acceptable || (m.type === 'ACK' && entry.message.type !== 'CON')) {
      this.o.emit({ type: 'unmatched', peer, message: m })
      return
    }
    this.forget(entry)
    if (m.type === 'RST') entry.callbacks.onReset()
    else if (m.code === EMPTY) entry.callbacks.onEmptyAck?.()
    else this.sink?.onResponse(peer, m)
  }

  private receiveConOrNon(peer: PeerAddress, m: CoapMessage, type: 'CON' | 'NON'): void {
    const cls = codeClass(m.code)
    if (m.code === EMPTY || cls === 1 || cls >= 6) {
      // §4.3: an Empty CON is a ping, answered by RST; reserved classes are rejected the same
      // way. An Empty or reserved NON is silently ignored.
      if (type === 'CON') this.sendEmpty(peer, 'RST', m.messageId)
      return
    }
    const now = this.o.timers.now()
    const previous = this.seen.get(peer.key, m.messageId)
    if (previous !== undefined && previous.until > now) {
      // §4.5: a duplicate is processed once; every copy of a CON gets the same answer.
      this.o.emit({ type: 'duplicate', peer, message: m })
      if (type === 'CON') {
        if (previous.reply !== null) this.write(peer, previous.reply)
        else previous.onDuplicate?.()
      }
      return
    }
    const lifetime = type === 'CON' ? this.o.settings.exchangeLifetimeMs : this.o.settings.nonLifetimeMs
    const seen: Seen = { peerKey: peer.key, messageId: m.messageId, reply: null, onDuplicate: null, until: now + lifetime }
    this.seen.remember(seen, now)
    if (cls === 0) {
      const responder = this.responderFor(peer, m, type, seen)
      try {
        this.sink?.onRequest(peer, m, responder)
      } finally {
        // Most handlers answer at once (piggybacked); only one still working needs the ACK timer.
        responder.awaitAnswer()
      }
      return
    }
    // A separate response (§5.2.2), or a notification (RFC 7641).
    const verdict = this.sink?.onResponse(peer, m) ?? 'reject'
    if (verdict === 'reject') {
      // §4.2/§4.3: reject what we cannot match; for NON this is how an observation is cancelled
      // reactively (RFC 7641 §3.6).
      const rst = this.sendEmpty(peer, 'RST', m.messageId)
      if (type === 'CON') seen.reply = rst
    } else if (type === 'CON') {
      seen.reply = this.sendEmpty(peer, 'ACK', m.messageId)
    }
  }

  /** Messages remembered for deduplication now (bounded by lifetime and by maxDedupEntries). */
  get dedupSize(): number {
    return this.seen.size
  }

  /**
   * §5.2.1/§5.2.2: the response rides in the ACK when it is ready within ackDelayMs; otherwise an
   * Empty ACK goes out and the response follows as its own CON. A NON request gets a NON response.
   */
  private responderFor(
    peer: PeerAddress,
    request: CoapMessage,
    type: 'CON' | 'NON',
    seen: Seen
  ): Responder & { awaitAnswer(): void } {
    let state: 'waiting' | 'acked' | 'done' = 'waiting'
    let cancelAckTimer: (() => void) | null = null
    const sendEmptyAck = (): void => {
      if (state !== 'waiting') return
      cancelAckTimer?.()
      cancelAckTimer = null
      state = 'acked'
      seen.onDuplicate = null
      seen.reply = this.sendEmpty(peer, 'ACK', request.messageId)
    }
    return {
      confirmable: type === 'CON',
      /** Called once the handler has returned: a CON still unanswered gets its Empty ACK after ackDelayMs. */
      awaitAnswer: () => {
        if (type !== 'CON' || state !== 'waiting' || this.closed) return
        cancelAckTimer = this.o.timers.after(this.o.ackDelayMs, sendEmptyAck)
        // The client is retransmitting: the response is late, so acknowledge now.
        seen.onDuplicate = sendEmptyAck
      },
      respond: (response) => {
        if (state === 'done' || this.closed) return
        if (state === 'waiting' && type === 'CON') {
          const ack: CoapMessage = { type: 'ACK', messageId: request.messageId, ...response }
          const datagram = this.o.codec.encode(ack)
          cancelAckTimer?.()
          cancelAckTimer = null
          state = 'done'
          // The dedup entry outlives this exchange by EXCHANGE_LIFETIME: it keeps only the reply
          // bytes, not this closure (and with it the request and its timer).
          seen.onDuplicate = null
          seen.reply = datagram
          this.transmit(peer, ack, datagram)
          return
        }
        // §5.2.2: after an Empty ACK never piggyback; a NON request gets a NON response (§5.2.3).
        if (state === 'acked') {
          // Retransmitted until acknowledged; an RST or giving up only ends our interest in it.
          const ignore = (): void => undefined
          this.sendTracked(peer, response, 'CON', { onReset: ignore, onGiveUp: ignore })
        } else {
          const non: CoapMessage = { type: 'NON', messageId: this.allocateMid(peer), ...response }
          this.transmit(peer, non, this.o.codec.encode(non))
        }
        state = 'done'
      }
    }
  }
}
