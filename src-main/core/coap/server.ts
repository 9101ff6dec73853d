// SPDX-License-Identifier: Apache-2.0
// Serving incoming requests: block-wise reassembly and slicing around the application's
// handler, observe registration and deregistration (RFC 7641 §4.1, §3.6), and the rule that a
// handler failure becomes a 5.00 for the peer and an event for us, never an exception in the
// endpoint.

import type { PeerAddress } from '../ports'
import { blockOption, blockSize, szxForSize, withBlock } from './block'
import {
  Block1Receiver,
  Block2Cache,
  bodyKey,
  sliceBlock2,
  type ResponseParts
} from './blockwise-server'
import type { EventSink } from './events'
import { codeClass, Method, Option, Response, type CoapMessage, type CoapOption, type Code } from './message'
import type { ObserveAcceptance, ObserveServer } from './observe-server'
import { hasOption, uintOption, withoutOptions, withUintOption } from './options'
import type { TimerSet } from './timers'
import type { Responder } from './transport'

/** A request as the handler sees it: the body is whole even if it came in Block1 pieces. */
export interface IncomingRequest {
  readonly peer: PeerAddress
  readonly code: Code
  readonly options: readonly CoapOption[]
  readonly payload: Uint8Array
  readonly token: Uint8Array
  readonly confirmable: boolean
}

/** The handler's answer; a large payload is sent block-wise by the endpoint. */
export interface OutgoingResponse {
  readonly code: Code
  /** Observe is the endpoint's to set (RFC 7641 §4.4); one given here is dropped. */
  readonly options?: readonly CoapOption[]
  readonly payload?: Uint8Array
  /**
   * Accepts an observation (RFC 7641 §4.1): the endpoint adds Observe to this response and
   * calls onStart once it is sent. Only a 2.xx answer to a GET or FETCH carrying Observe = 0
   * registers (not a request for a later Block2 block, RFC 7959 §2.6); otherwise this field is
   * ignored and neither onStart nor onEnd is ever called.
   */
  readonly observe?: ObserveAcceptance
}

export type RequestHandler = (req: IncomingRequest) => Promise<OutgoingResponse> | OutgoingResponse

export interface RequestServerOptions {
  readonly timers: TimerSet
  readonly emit: EventSink
  /** How long partial request bodies and served response bodies are kept (EXCHANGE_LIFETIME). */
  readonly lifetimeMs: number
  /** Largest block we send or ask for (RFC 7959 §2.2: 16..1024). */
  readonly maxBlockSize: number
  /** Largest request body we assemble; more gets 4.13 (RFC 7959 §2.9.3). */
  readonly maxBodySize: number
  /** Where accepted observations go; without it `observe` in a response is ignored. */
  readonly observers?: ObserveServer
}

const NO_BYTES = new Uint8Array(0)
/** The options this endpoint and LwM2M know (message.ts); odd ones outside it are refused. */
const KNOWN_OPTIONS = new Set<number>(Object.values(Option))

export class RequestServer {
  private handler: RequestHandler | null = null
  private readonly block1: Block1Receiver
  private readonly block2: Block2Cache

  constructor(private readonly o: RequestServerOptions) {
    this.block1 = new Block1Receiver(o.timers, o.lifetimeMs, o.maxBodySize, o.maxBlockSize)
    this.block2 = new Block2Cache(o.timers, o.lifetimeMs)
  }

  setHandler(handler: RequestHandler): void {
    this.handler = handler
  }

  /**
   * RFC 7959 §2.6: a notification too large for one block goes out as block 0; the whole body is
   * kept under the registration's key, where the follow-up requests for its later blocks (which
   * carry the registration's options) find it.
   */
  firstBlock(key: string, r: ResponseParts, szx: number): ResponseParts {
    if (r.payload.length <= blockSize(szx)) return r
    return sliceBlock2(this.block2.store(key, r), 0, szx) ?? r
  }

  handle(peer: PeerAddress, m: CoapMessage, responder: Responder): void {
    const send = (r: ResponseParts): void => {
      this.send(peer, m, responder, r)
    }
    const unknown = m.options.find((o) => (o.number & 1) === 1 && !KNOWN_OPTIONS.has(o.number))
    if (unknown !== undefined) {
      // RFC 7252 §5.4.1: an unrecognised critical option in a request is answered 4.02, with
      // a diagnostic payload (§5.5.2); the handler never sees it.
      const why = new TextEncoder().encode(`unrecognised critical option ${unknown.number}`)
      return send({ code: Response.BAD_OPTION, options: [], payload: why })
    }
    // Built only when a block-wise step needs it: most requests are a single message.
    let bodyKeyMemo: string | null = null
    const key = (): string => (bodyKeyMemo ??= bodyKey(peer, m))
    let body = m.payload
    let block1 = null
    if (hasOption(m, Option.BLOCK1)) {
      const b = blockOption(m, Option.BLOCK1)
      if (b === null) return send(plain(Response.BAD_OPTION))
      const outcome = this.block1.accept(key(), m, b)
      if (outcome.kind === 'reply') return send(outcome.response)
      body = outcome.body
      block1 = outcome.block1
    }
    const b2 = blockOption(m, Option.BLOCK2)
    if (b2 !== null && b2.szx === 7) return send(plain(Response.BAD_REQUEST))
    // §2.4: serve at the size asked for or ours if smaller, with NUM scaled to the same offset.
    const szx = Math.min(b2?.szx ?? 6, szxForSize(this.o.maxBlockSize))
    const num = b2 !== null && block1 === null ? (b2.num * blockSize(b2.szx)) / blockSize(szx) : 0
    // RFC 7641 §3.1, §3.6: Observe = 0 registers, 1 deregisters; only on GET and FETCH.
    const observe = m.code === Method.GET || m.code === Method.FETCH ? uintOption(m, Option.OBSERVE) : null
    const observers = this.o.observers
    // §3.6: deregistration ends the relation; the request is then served like any other.
    if (observe === 1) observers?.end(peer, m.token, 'deregistered')
    if (num > 0) {
      // §2.4: later blocks come from the body kept when block 0 was served (also the body of a
      // block-wise notification, RFC 7959 §2.6).
      const cached = this.block2.get(key())
      if (cached !== null) {
        let out = sliceBlock2(cached, num, szx) ?? plain(Response.BAD_OPTION)
        // A kept notification carries its Observe value: a plain follow-up GET (RFC 7959 §2.6)
        // gets none; one that repeats Observe (node-coap does, with the observation's token)
        // gets the notification's, which such a client reads from the last block.
        if (observe === null) out = { ...out, options: withoutOptions(out.options, Option.OBSERVE) }
        return send(out)
      }
    }
    // Not for a later block: that is the rest of a body, not a new registration (RFC 7959 §2.6).
    const registering = observe === 0 && num === 0 && observers !== undefined ? observers : null
    if (this.handler === null) return send(plain(Response.NOT_FOUND))
    const req: IncomingRequest = {
      peer,
      code: m.code,
      options: m.options,
      payload: body,
      token: m.token,
      confirmable: responder.confirmable
    }
    const fail = (error: unknown): void => {
      this.o.emit({ type: 'handler-error', peer, request: m, error })
      send(plain(Response.INTERNAL_SERVER_ERROR))
      // §4.1: the 5.00 answers a registration too, superseding a relation with the same token.
      registering?.end(peer, m.token, 'replaced')
    }
    const done = (r: OutgoingResponse): void => {
      if (typeof r !== 'object' || r === null || typeof r.code !== 'number') {
        fail(new TypeError('the request handler returned no response'))
        return
      }
      let options = r.options ?? []
      // Observe in a response is the endpoint's (RFC 7641 §4.4): only a registration gets one.
      if (hasOption({ options }, Option.OBSERVE)) options = withoutOptions(options, Option.OBSERVE)
      const accepted = registering !== null && r.observe !== undefined && codeClass(r.code) === 2
      // §4.1: the registration response is the first notification, with the first sequence number.
      if (accepted) options = withUintOption(options, Option.OBSERVE, registering.nextSequence())
      let out: ResponseParts = { code: r.code, options, payload: r.payload ?? NO_BYTES }
      if (out.payload.length > blockSize(szx) || num > 0) {
        out = sliceBlock2(this.block2.store(key(), out), num, szx) ?? plain(Response.BAD_OPTION)
      }
      // RFC 7959 §2.3: the final response to a Block1 transfer echoes the last block's Block1.
      if (block1 !== null) out = { ...out, options: withBlock(out.options, Option.BLOCK1, block1) }
      const sent = this.send(peer, m, responder, out)
      if (registering === null) return
      if (accepted && sent) {
        registering.register({ peer, token: m.token, bodyKey: key(), szx, acceptance: r.observe })
      } else {
        // §4.1: a registration with the same token supersedes the old relation, whatever the
        // answer; without Observe in it the client no longer expects notifications on it.
        registering.end(peer, m.token, 'replaced')
      }
    }
    let result: Promise<OutgoingResponse> | OutgoingResponse
    try {
      result = this.handler(req)
    } catch (error) {
      fail(error)
      return
    }
    if (isThenable(result)) {
      result.then(done, fail).catch((error: unknown) => this.o.emit({ type: 'internal-error', error }))
    } else {
      done(result)
    }
  }

  /** True when `r` itself went out (not the 5.00 that replaces it when it cannot be encoded). */
  private send(peer: PeerAddress, request: CoapMessage, responder: Responder, r: ResponseParts): boolean {
    try {
      responder.respond({ code: r.code, token: request.token, options: r.options, payload: r.payload })
      return true
    } catch (error) {
      // The handler's response could not be encoded (e.g. an option too long): say 5.00.
      this.o.emit({ type: 'handler-error', peer, request, error })
      if (r.code !== Response.INTERNAL_SERVER_ERROR) {
        try {
          const { token } = request
          responder.respond({ code: Response.INTERNAL_SERVER_ERROR, token, options: [], payload: NO_BYTES })
        } catch (again) {
          this.o.emit({ type: 'internal-error', error: again })
        }
      }
      return false
    }
  }
}

function plain(code: Code): ResponseParts {
  return { code, options: [], payload: NO_BYTES }
}

function isThenable(x: unknown): x is Promise<OutgoingResponse> {
  return typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function'
}
