// SPDX-License-Identifier: Apache-2.0
// The exchange layer (RFC 7252 §5): tokens, request/response matching by token and peer, the
// NSTART limit per peer (§4.7), and deadlines. It works over any MessageTransport, so stream
// links (RFC 8323) can reuse it without the datagram message layer.

import { toHex } from '../bytes'
import type { CancelSignal } from '../cancel'
import { ChurnTable } from '../churn-table'
import type { PeerAddress, Random } from '../ports'
import { CoapClosedError, CoapResetError, CoapTimeoutError } from './errors'
import type { EventSink } from './events'
import { PeerNumberTable, tokenNumber } from './peer-number-table'
import type { CoapMessage, CoapOption, Code } from './message'
import type { TimerSet } from './timers'
import type {
  MessageSink,
  MessageTransport,
  Responder,
  ResponseVerdict,
  Transmission,
  TransmissionCallbacks
} from './transport'

/** A request as the caller describes it; the token is the exchange layer's business. */
export interface RequestMessage {
  readonly code: Code
  readonly options: readonly CoapOption[]
  readonly payload?: Uint8Array
  /** CON (default) or NON (RFC 7252 §2.1). */
  readonly confirmable?: boolean
}

/** Receives the responses that arrive for a token after its request was answered (RFC 7641). */
export interface TokenHandler {
  onResponse(message: CoapMessage): ResponseVerdict
}

export interface ExchangeOptions {
  /** Deadline for the response, counted from the first transmission. */
  readonly timeoutMs: number
  /** Reuse this token (RFC 7641 §3.6: deregistering with the observation's token). */
  readonly token?: Uint8Array
  /** Responses for which this returns true are acknowledged but do not answer the request. */
  readonly skip?: (message: CoapMessage) => boolean
  /** After the response: keep the token registered with the returned handler (RFC 7641). */
  readonly keep?: (response: CoapMessage) => TokenHandler | null
  /** Ends the exchange early (stops retransmitting, forgets the token) with the signal's reason. */
  readonly cancel?: CancelSignal
  /** The peer acknowledged the request with an Empty ACK: a separate response may follow (§5.2.2). */
  readonly onAck?: () => void
  /**
   * A response that arrives for this token after the exchange ended without one (deadline,
   * cancel): it is acknowledged and handed here, never to another request.
   */
  readonly onLate?: (message: CoapMessage) => void
}

export type RequestServer = (peer: PeerAddress, request: CoapMessage, responder: Responder) => void

export interface ExchangeLayerOptions {
  readonly transport: MessageTransport
  readonly timers: TimerSet
  readonly random: Random
  readonly nstart: number
  /** §5.3.1: ≥ 4 random bytes when not protected by (D)TLS; 8 by default. */
  readonly tokenLength: number
  readonly emit: EventSink
  /** How long an ended exchange's token is watched for a late response (EXCHANGE_LIFETIME). */
  readonly lateWindowMs: number
}

interface PeerSlots {
  active: number
  readonly queue: Array<() => void>
}

/** A token whose exchange ended without a response, kept to recognise a late one. */
interface LateWatch {
  readonly onLate: (message: CoapMessage) => void
  readonly until: number
}

const NO_BYTES = new Uint8Array(0)
/** At most this many ended exchanges are watched for late responses; the oldest go first. */
const MAX_LATE_WATCHES = 10_000

export class ExchangeLayer implements MessageSink {
  /** By peer and token. */
  private readonly tokens = new PeerNumberTable<TokenHandler>()
  // One entry per peer with requests in flight: ChurnTable, not Map (see churn-table.ts).
  private readonly slots = new ChurnTable<PeerSlots>()
  /** Every exchange in flight or waiting for a slot, ended with CoapClosedError by close(). */
  private readonly aborts = new AbortList()
  private readonly late = new Map<string, LateWatch>()
  private server: RequestServer | null = null
  private closed = false

  constructor(private readonly o: ExchangeLayerOptions) {
    o.transport.attach(this)
  }

  serve(server: RequestServer): void {
    this.server = server
  }

  /**
   * One request, one response (the first that is not skipped). Waits for a free NSTART slot
   * towards the peer first (RFC 7252 §4.7). Rejects with CoapTimeoutError, CoapResetError,
   * CoapClosedError, or whatever the transport threw while encoding.
   */
  exchange(peer: PeerAddress, req: RequestMessage, opts: ExchangeOptions): Promise<CoapMessage> {
    return new Promise<CoapMessage>((resolve, reject) => {
      if (this.closed) {
        reject(new CoapClosedError())
        return
      }
      if (opts.cancel?.cancelled) {
        reject(opts.cancel.reason as Error)
        return
      }
      // A free NSTART slot (the usual case): start now, with nothing to undo while queued.
      const free = this.slots.get(peer.key)
      if (free === undefined || (free.active < this.o.nstart && free.queue.length === 0)) {
        this.acquire(peer, () => this.start(peer, req, opts, resolve, reject))
        return
      }
      let started = false
      let aborted = false
      const abortQueued = (e: Error): void => {
        if (started || aborted) return
        aborted = true
        this.aborts.remove(queued)
        reject(e)
      }
      const queued = this.aborts.add({ abort: abortQueued })
      const unsubscribe = opts.cancel?.onCancel(abortQueued)
      this.acquire(peer, () => {
        if (aborted) {
          // Cancelled while waiting for a slot: hand the slot on.
          this.release(peer)
          return
        }
        started = true
        this.aborts.remove(queued)
        unsubscribe?.()
        this.start(peer, req, opts, resolve, reject)
      })
    })
  }

  private start(
    peer: PeerAddress,
    req: RequestMessage,
    opts: ExchangeOptions,
    resolve: (m: CoapMessage) => void,
    reject: (e: unknown) => void
  ): void {
    const token = opts.token ?? this.newToken(peer)
    const x = new Exchange(this, peer, token, opts, resolve, reject)
    this.tokens.set(peer.key, x.tokenN, x, token)
    x.node = this.aborts.add(x)
    let transmission: Transmission
    try {
      transmission = this.o.transport.sendRequest(
        peer,
        { code: req.code, token, options: req.options, payload: req.payload ?? NO_BYTES },
        req.confirmable ?? true,
        x
      )
    } catch (error) {
      this.finishExchange(x, error, null)
      return
    }
    if (x.done) {
      transmission.cancel()
      return
    }
    x.transmission = transmission
    // Infinity: the caller's cancel signal carries the deadline (one timer per request, not two).
    if (opts.timeoutMs !== Infinity) x.cancelDeadline = this.o.timers.after(opts.timeoutMs, () => x.timedOut())
    if (opts.cancel) x.unsubscribe = opts.cancel.onCancel((reason) => this.finishExchange(x, reason, null))
  }

  /** Ends an exchange once: stops its transmission and deadline, forgets or keeps its token, settles it. */
  finishExchange(x: Exchange, error: unknown, response: CoapMessage | null): void {
    if (x.done) return
    x.done = true
    x.transmission?.cancel()
    x.cancelDeadline?.()
    x.unsubscribe?.()
    if (x.node !== null) this.aborts.remove(x.node)
    const { peer, token, tokenN, opts } = x
    const next = response !== null ? opts.keep?.(response) ?? null : null
    if (this.tokens.get(peer.key, tokenN, token) === x) {
      if (next !== null) this.tokens.set(peer.key, tokenN, next, token)
      else this.tokens.delete(peer.key, tokenN, token)
    }
    if (response === null && opts.onLate) this.watchLate(tokenKey(peer, token), opts.onLate)
    this.releaseSlot(x)
    if (response !== null) x.resolve(response)
    else x.reject(error)
  }

  /** §4.7: an acknowledged request no longer counts against NSTART; the slot goes back once. */
  releaseSlot(x: Exchange): void {
    if (!x.slotHeld) return
    x.slotHeld = false
    this.release(x.peer)
  }

  emitError(error: unknown): void {
    this.o.emit({ type: 'internal-error', error })
  }

  /** Remembers an ended token for EXCHANGE_LIFETIME so a late response is told apart (§5.3.2). */
  private watchLate(key: string, onLate: (message: CoapMessage) => void): void {
    const now = this.o.timers.now()
    this.late.delete(key)
    this.late.set(key, { onLate, until: now + this.o.lateWindowMs })
    // Insertion order is expiry order: drop expired watches and the oldest beyond the cap.
    for (const [k, w] of this.late) {
      if (w.until > now && this.late.size <= MAX_LATE_WATCHES) break
      this.late.delete(k)
    }
  }

  /** Forgets a token kept by `keep` (an observation), if `handler` still holds it. */
  unregister(peer: PeerAddress, token: Uint8Array, handler: TokenHandler): void {
    const n = tokenNumber(token)
    if (this.tokens.get(peer.key, n, token) === handler) this.tokens.delete(peer.key, n, token)
  }

  onResponse(peer: PeerAddress, message: CoapMessage): ResponseVerdict {
    const handler = this.tokens.get(peer.key, tokenNumber(message.token), message.token)
    if (handler === undefined) {
      const watch = this.late.size > 0 ? this.late.get(tokenKey(peer, message.token)) : undefined
      if (watch !== undefined && watch.until > this.o.timers.now()) {
        // Late: its request ended already. Acknowledge it (so the peer stops retransmitting)
        // and report it; it answers nothing else.
        this.o.emit({ type: 'late', peer, message })
        try {
          watch.onLate(message)
        } catch (error) {
          this.o.emit({ type: 'internal-error', error })
        }
        return 'accept'
      }
      // §5.3.2: a response we cannot match is rejected (RST for CON; for NON too, which is what
      // ends an observation we have forgotten, RFC 7641 §3.6).
      this.o.emit({ type: 'unmatched', peer, message })
      return 'reject'
    }
    return handler.onResponse(message)
  }

  onRequest(peer: PeerAddress, message: CoapMessage, responder: Responder): void {
    if (this.server === null) return
    this.server(peer, message, responder)
  }

  close(reason?: string): void {
    this.closed = true
    for (const a of this.aborts.values()) a.abort(new CoapClosedError(reason))
    this.tokens.clear()
    this.late.clear()
  }

  /** §5.3.1: random, and unique among the tokens in use (or watched for late answers) with this peer. */
  newToken(peer: PeerAddress): Uint8Array {
    for (;;) {
      const token = this.o.random.bytes(this.o.tokenLength)
      if (!this.tokens.has(peer.key, tokenNumber(token), token) && (this.late.size === 0 || !this.late.has(tokenKey(peer, token)))) return token
    }
  }

  /** §4.7: at most NSTART outstanding interactions per peer; later ones wait in order. */
  private acquire(peer: PeerAddress, run: () => void): void {
    let s = this.slots.get(peer.key)
    if (s === undefined) {
      s = { active: 0, queue: [] }
      this.slots.set(peer.key, s)
    }
    if (s.active < this.o.nstart) {
      s.active++
      run()
    } else {
      s.queue.push(run)
    }
  }

  private release(peer: PeerAddress): void {
    const s = this.slots.get(peer.key)
    if (s === undefined) return
    const next = s.queue.shift()
    if (next !== undefined && !this.closed) {
      next()
      return
    }
    s.active--
    if (s.active <= 0 && s.queue.length === 0) this.slots.delete(peer.key)
  }
}

export function tokenKey(peer: PeerAddress, token: Uint8Array): string {
  return `${peer.key}#${toHex(token)}`
}

/** One request in flight: its token's handler and its transmission's callbacks in one object. */
class Exchange implements TokenHandler, TransmissionCallbacks, Abortable {
  readonly tokenN: number
  transmission: Transmission | null = null
  cancelDeadline: (() => void) | null = null
  unsubscribe: (() => void) | undefined = undefined
  node: AbortNode | null = null
  done = false
  slotHeld = true

  constructor(
    readonly layer: ExchangeLayer,
    readonly peer: PeerAddress,
    readonly token: Uint8Array,
    readonly opts: ExchangeOptions,
    readonly resolve: (m: CoapMessage) => void,
    readonly reject: (e: unknown) => void
  ) {
    this.tokenN = tokenNumber(token)
  }

  onResponse(m: CoapMessage): ResponseVerdict {
    if (!this.opts.skip?.(m)) this.layer.finishExchange(this, null, m)
    return 'accept'
  }

  onEmptyAck(): void {
    if (this.done) return
    this.layer.releaseSlot(this)
    try {
      this.opts.onAck?.()
    } catch (error) {
      this.layer.emitError(error)
    }
  }

  onReset(): void {
    this.layer.finishExchange(this, new CoapResetError(), null)
  }

  onGiveUp(attempts: number): void {
    this.layer.finishExchange(this, new CoapTimeoutError(attempts, 'ack'), null)
  }

  timedOut(): void {
    this.layer.finishExchange(this, new CoapTimeoutError(this.transmission?.attempts ?? 1, 'response'), null)
  }

  abort(e: Error): void {
    this.layer.finishExchange(this, e, null)
  }
}

interface Abortable {
  abort(e: Error): void
}

interface AbortNode {
  readonly target: Abortable
  prev: AbortNode | null
  next: AbortNode | null
}

/** A doubly linked list: an entry per exchange comes and goes in O(1), with no key to build. */
class AbortList {
  #head: AbortNode | null = null

  add(target: Abortable): AbortNode {
    const node: AbortNode = { target, prev: null, next: this.#head }
    if (this.#head !== null) this.#head.prev = node
    this.#head = node
    return node
  }

  /** Idempotent. */
  remove(node: AbortNode): void {
    if (node.prev === null && this.#head !== node) return
    if (node.prev !== null) node.prev.next = node.next
    else this.#head = node.next
    if (node.next !== null) node.next.prev = node.prev
    node.prev = null
    node.next = null
  }

  /** A snapshot, so an abort may remove entries while the caller walks it. */
  values(): Abortable[] {
    const out: Abortable[] = []
    for (let n = this.#head; n !== null; n = n.next) out.push(n.target)
    return out
  }
}
