// SPDX-License-Identifier: Apache-2.0
// A CoAP endpoint over a datagram link (RFC 7252): the message layer below, the exchange layer
// above it, and block-wise transfer (RFC 7959) and observation (RFC 7641) on top. Roles (the
// LwM2M server, bootstrap server, client) talk to this and never to the link.

import { bytesEqual } from '../bytes'
import type { CancelSignal } from '../cancel'
import type { DatagramLink, PeerAddress, Random, Scheduler } from '../ports'
import { withBlock } from './block'
import { blockwiseRequest, collectBlock2, type BlockSend } from './blockwise'
import type { EndpointEvent } from './events'
import { ExchangeLayer, type ExchangeOptions } from './exchanges'
import {
  codeClass,
  formatCode,
  Option,
  Response,
  type CoapMessage,
  type CoapOption,
  type Code,
  type MessageCodec
} from './message'
import { MessageLayer } from './message-layer'
import { ObserveClient, type CoapNotification, type ObservationEnd } from './observe-client'
import { ObserveServer } from './observe-server'
import { getOption, hasOption, withOption, withoutOptions, withUintOption } from './options'
import { RequestServer, type RequestHandler } from './server'
import { TimerSet } from './timers'
import {
  transmissionSettings,
  type TransmissionParameters,
  type TransmissionSettings
} from './transmission'

export interface CoapEndpointOptions {
  readonly link: DatagramLink
  readonly codec: MessageCodec
  readonly scheduler: Scheduler
  readonly random: Random
  readonly params?: Partial<TransmissionParameters>
  readonly onEvent?: (e: EndpointEvent) => void
  /** How long a handler may take before its response goes separate (default ACK_TIMEOUT / 2). */
  readonly ackDelayMs?: number
  /** Token length for our requests, 4..8 bytes (RFC 7252 §5.3.1: ≥ 32 random bits); default 8. */
  readonly tokenLength?: number
  /** Largest block we serve (RFC 7959 §2.2, 16..1024); default 1024 (RFC 7252 §4.6). */
  readonly maxBlockSize?: number
  /** Largest body we assemble, from Block1 requests or Block2 responses; default 64 MiB. */
  readonly maxBodySize?: number
  /** Most received messages remembered for deduplication (RFC 7252 §4.5); default 50 000. */
  readonly maxDedupEntries?: number
  /**
   * RFC 7641 §4.5: each observation we serve gets a CON notification at least this often, even
   * when every notification asks for NON; default 24 hours.
   */
  readonly observeConIntervalMs?: number
}

export interface CoapRequest {
  readonly code: Code
  readonly options: readonly CoapOption[]
  readonly payload?: Uint8Array
  /** CON (default, retransmitted until acknowledged) or NON. */
  readonly confirmable?: boolean
}

export interface RequestOptions {
  /**
   * Deadline for each response, counted from the first transmission of its request; default
   * EXCHANGE_LIFETIME for CON (a separate response may take that long) and MAX_TRANSMIT_WAIT for NON.
   * Infinity only with `cancel`: the caller keeps the deadline and cancels at it.
   */
  readonly timeoutMs?: number
  /** Block2 size to ask for from the start (RFC 7959 §2.4); default: the server chooses. */
  readonly block2Size?: number
  /** Bodies larger than this go block-wise (RFC 7959 §2.5); default 1024. */
  readonly block1Size?: number
  /** Tag a block-wise body with a random Request-Tag (RFC 9175 §3). */
  readonly requestTag?: boolean
  /** Ends the request early with the signal's reason (stops retransmitting, forgets the token). */
  readonly cancel?: CancelSignal
  /** Called on each Empty ACK (RFC 7252 §5.2.2): the peer has the request, a response may follow. */
  readonly onAck?: () => void
  /** A response that arrives after the request ended without one (deadline, cancel). */
  readonly onLate?: (message: CoapMessage) => void
  /** Called after each block exchange of a block-wise transfer (progress, not the end). */
  readonly onProgress?: () => void
}

export interface CoapResponse {
  readonly code: Code
  /** The options of the response that carried the body's first block (Block2 removed). */
  readonly options: readonly CoapOption[]
  /** The whole body, reassembled. */
  readonly payload: Uint8Array
  readonly peer: PeerAddress
  /** Request/response exchanges the operation took (1 unless block-wise). */
  readonly messages: number
}

export interface Observation {
  /** The registration response (whole body). */
  readonly response: CoapResponse
  /** Whether the server took the registration (its response carried Observe, RFC 7641 §4.1). */
  readonly registered: boolean
  /** Settles once the relation is over, saying why. */
  readonly ended: Promise<ObservationEnd>
  /**
   * RFC 7641 §3.6: 'get' deregisters with GET Observe = 1 and resolves when it was answered;
   * 'rst' forgets the token at once, so the next notification is answered with RST.
   */
  cancel(how: 'get' | 'rst'): Promise<void>
}

export type { CoapNotification, ObservationEnd }
export type { IncomingRequest, OutgoingResponse, RequestHandler } from './server'
export type {
  NotificationContent,
  ObserveAcceptance,
  ObserveEndReason,
  ObserveRelation
} from './observe-server'

const NO_BYTES = new Uint8Array(0)
const DAY_MS = 24 * 60 * 60 * 1000

export class CoapEndpoint {
  readonly settings: TransmissionSettings
  private readonly timers: TimerSet
  private readonly messages: MessageLayer
  private readonly exchanges: ExchangeLayer
  private readonly server: RequestServer
  private readonly observations = new Set<ObserveClient>()
  /** The observations we serve (RFC 7641 §4), as opposed to `observations`, the ones we made. */
  private readonly observers: ObserveServer
  private readonly scheduler: Scheduler
  private readonly random: Random
  private readonly emit: (e: EndpointEvent) => void
  private readonly maxBodySize: number
  private closed = false

  constructor(o: CoapEndpointOptions) {
    this.settings = transmissionSettings(o.params)
    this.scheduler = o.scheduler
    this.random = o.random
    const onEvent = o.onEvent
    this.emit = (e) => {
      try {
        onEvent?.(e)
      } catch {
        // A failing listener must not change what the endpoint does.
      }
    }
    this.maxBodySize = o.maxBodySize ?? 64 * 1024 * 1024
    const tokenLength = o.tokenLength ?? 8
    if (!Number.isInteger(tokenLength) || tokenLength < 4 || tokenLength > 8) {
      throw new RangeError('tokenLength must be 4..8 (RFC 7252 §5.3.1)')
    }
    this.timers = new TimerSet(o.scheduler, (error) => this.emit({ type: 'internal-error', error }))
    this.messages = new MessageLayer({
      link: o.link,
      codec: o.codec,
      timers: this.timers,
      random: o.random,
      settings: this.settings,
      ackDelayMs: o.ackDelayMs ?? this.settings.ackTimeoutMs / 2,
      emit: this.emit,
      listening: onEvent !== undefined,
      ...(o.maxDedupEntries !== undefined ? { maxDedupEntries: o.maxDedupEntries } : {})
    })
    this.exchanges = new ExchangeLayer({
      transport: this.messages,
      timers: this.timers,
      random: o.random,
      nstart: this.settings.nstart,
      tokenLength,
      emit: this.emit,
      lateWindowMs: this.settings.exchangeLifetimeMs
    })
    this.observers = new ObserveServer({
      transport: this.messages,
      timers: this.timers,
      emit: this.emit,
      conIntervalMs: o.observeConIntervalMs ?? DAY_MS,
      // Large notifications share the request server's Block2 cache with the registration.
      firstBlock: (key, r, szx) => this.server.firstBlock(key, r, szx)
    })
    this.server = new RequestServer({
      timers: this.timers,
      emit: this.emit,
      lifetimeMs: this.settings.exchangeLifetimeMs,
      maxBlockSize: blockSetting(o.maxBlockSize ?? 1024),
      maxBodySize: this.maxBodySize,
      observers: this.observers
    })
    this.exchanges.serve((peer, m, responder) => this.server.handle(peer, m, responder))
  }

  /** Sends a request and resolves with the whole response (block-wise both ways as needed). */
  async request(peer: PeerAddress, req: CoapRequest, opts: RequestOptions = {}): Promise<CoapResponse> {
    checkMethod(req)
    const once = this.sender(peer, req, opts)
    const onProgress = opts.onProgress
    const send: BlockSend = onProgress
      ? async (options, payload) => {
          const m = await once(options, payload)
          onProgress()
          return m
        }
      : once
    const block2 = opts.block2Size ?? null
    const r = await blockwiseRequest(send, req.options, req.payload ?? NO_BYTES, {
      block1Size: blockSetting(opts.block1Size ?? 1024),
      block2Size: block2 === null ? null : blockSetting(block2),
      requestTag: opts.requestTag === true ? this.random.bytes(4) : null,
      maxBodySize: this.maxBodySize
    })
    const { code, options, payload } = r.message
    return { code, options, payload, peer, messages: r.messages }
  }

  /**
   * Registers an observation (RFC 7641 §3.1: the request with Observe = 0). Resolves once the
   * registration was answered (and its body fetched, RFC 7959 §2.6); `onNotification` gets each
   * fresh notification after the registration response, in order — possibly before this
   * resolves when the registration body takes several blocks.
   */
  async observe(
    peer: PeerAddress,
    req: CoapRequest,
    onNotification: (n: CoapNotification) => void,
    opts: RequestOptions = {}
  ): Promise<Observation> {
    checkMethod(req)
    const token = this.exchanges.newToken(peer)
    const send = this.sender(peer, req, opts)
    // RFC 7959 §2.6: the blocks after the first come from plain requests without Observe.
    const plainOptions = withoutOptions(req.options, Option.OBSERVE)
    const follow = (num: number, szx: number): Promise<CoapMessage> =>
      send(withBlock(plainOptions, Option.BLOCK2, { num, more: false, szx }), req.payload ?? NO_BYTES)
    const block2 = opts.block2Size ?? null
    const preferred = block2 === null ? null : blockSetting(block2)
    const collect = { preferred, maxBodySize: this.maxBodySize }
    let settle: (end: ObservationEnd) => void = () => undefined
    const ended = new Promise<ObservationEnd>((resolve) => (settle = resolve))
    const client: ObserveClient = new ObserveClient({
      peer,
      scheduler: this.scheduler,
      emit: this.emit,
      onNotification,
      complete: (first) => collectBlock2(first, follow, collect),
      onEnd: (end) => {
        this.observations.delete(client)
        this.exchanges.unregister(peer, token, client)
        settle(end)
      }
    })
    this.observations.add(client)
    const exchange = this.exchangeOptions(req, opts)
    let first: CoapMessage
    try {
      first = await this.exchanges.exchange(
        peer,
        { ...req, options: withUintOption(req.options, Option.OBSERVE, 0) },
        {
          ...exchange,
          token,
          keep: (response) => {
            if (!isRegistration(response)) return null
            // Set the first sequence number before any notification can be looked at.
            client.start(response)
            return client
          }
        }
      )
    } catch (error) {
      client.end({ reason: 'closed' })
      throw error
    }
    const registered = isRegistration(first)
    if (!registered) client.end({ reason: 'not-registered' })
    let whole: CoapMessage
    let messages = 1
    try {
      const counted = (num: number, szx: number): Promise<CoapMessage> => {
        messages++
        return follow(num, szx)
      }
      whole = await collectBlock2(first, counted, collect)
    } catch (error) {
      // Without the registration's body the caller has nothing to build on: undo it.
      if (registered) this.exchanges.unregister(peer, token, client)
      client.end({ reason: 'cancelled' })
      throw error
    }
    const { code, options, payload } = whole
    const response: CoapResponse = { code, options, payload, peer, messages }
    return {
      response,
      registered,
      ended,
      cancel: async (how) => {
        if (!client.active) return
        if (how === 'rst') {
          // §3.6: forgetting the token makes the next notification unmatched, answered by RST.
          client.end({ reason: 'cancelled' })
          return
        }
        client.beginCancel()
        try {
          await this.exchanges.exchange(
            peer,
            { ...req, options: withUintOption(req.options, Option.OBSERVE, 1) },
            {
              ...exchange,
              token,
              // Notifications still on their way are acknowledged and dropped; the answer to
              // the GET is the one without Observe, or the one piggybacked on its ACK.
              skip: (m) => m.type !== 'ACK' && isRegistration(m)
            }
          )
        } finally {
          client.end({ reason: 'cancelled' })
        }
      }
    }
  }

  /** Serves incoming requests (one handler; a later call replaces it). */
  onRequest(handler: RequestHandler): void {
    this.server.setHandler(handler)
  }

  /**
   * Cancels every timer, rejects pending requests (CoapClosedError) and ends observations, both
   * the ones we made and the ones we serve (onEnd 'closed'). `reason` becomes the rejections' message.
   */
  close(reason?: string): void {
    if (this.closed) return
    this.closed = true
    this.messages.close()
    this.timers.cancelAll()
    this.exchanges.close(reason)
    for (const client of [...this.observations]) client.end({ reason: 'closed' })
    this.observers.close()
  }

  private exchangeOptions(
    req: CoapRequest,
    opts: RequestOptions
  ): Pick<ExchangeOptions, 'timeoutMs' | 'cancel' | 'onAck' | 'onLate'> {
    const confirmable = req.confirmable ?? true
    // Assigned rather than spread: this runs for every request.
    const out: { -readonly [K in 'timeoutMs' | 'cancel' | 'onAck' | 'onLate']?: ExchangeOptions[K] } & { timeoutMs: number } = {
      timeoutMs:
        opts.timeoutMs ??
        (confirmable ? this.settings.exchangeLifetimeMs : this.settings.maxTransmitWaitMs)
    }
    if (opts.cancel) out.cancel = opts.cancel
    if (opts.onAck) out.onAck = opts.onAck
    if (opts.onLate) out.onLate = opts.onLate
    return out
  }

  private sender(peer: PeerAddress, req: CoapRequest, opts: RequestOptions): BlockSend {
    // One token for every block of a transfer (RFC 7959 §2.3 allows either): peers such as
    // node-coap reassemble Block1 bodies by token, and the blocks never overlap (NSTART = 1).
    const exchange: ExchangeOptions = Object.assign(this.exchangeOptions(req, opts), { token: this.exchanges.newToken(peer) })
    const confirmable = req.confirmable ?? true
    const once = (options: readonly CoapOption[], payload: Uint8Array): Promise<CoapMessage> =>
      this.exchanges.exchange(peer, { code: req.code, options, payload, confirmable }, exchange)
    return async (options, payload) => {
      const r = await once(options, payload)
      const echo = getOption(r, Option.ECHO)
      // RFC 9175 §2.3: 4.01 with Echo asks for the same request again, carrying that value.
      const echoed = getOption({ options }, Option.ECHO)?.value
      if (r.code === Response.UNAUTHORIZED && echo !== null && !bytesEqual(echoed, echo.value)) {
        return once(withOption(options, Option.ECHO, echo.value), payload)
      }
      return r
    }
  }
}

/** Only requests go out this way (RFC 7252 §5.8: method codes 0.01..0.31). */
function checkMethod(req: CoapRequest): void {
  if (!(req.code > 0 && codeClass(req.code) === 0)) {
    throw new TypeError(`${formatCode(req.code)} is not a request method`)
  }
}

/**
 * Block sizes are 16..1024 (RFC 7959 §2.2); a smaller setting, or NaN, has always meant the
 * smallest block rather than an error, and szxForSize (which refuses them) must keep it so.
 */
function blockSetting(size: number): number {
  return size >= 16 ? size : 16
}

function isRegistration(m: CoapMessage): boolean {
  return codeClass(m.code) === 2 && hasOption(m, Option.OBSERVE)
}
