// SPDX-License-Identifier: Apache-2.0
// Serving incoming requests: block-wise reassembly and slicing around the application's
// handler, and the rule that a handler failure becomes a 5.00 for the peer and an event for us,
// never an exception in the endpoint.

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
import { Option, Response, type CoapMessage, type CoapOption, type Code } from './message'
import { hasOption } from './options'
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
  readonly options?: readonly CoapOption[]
  readonly payload?: Uint8Array
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

  handle(peer: PeerAddress, m: CoapMessage, responder: Responder): void {
    const send = (r: ResponseParts): void => this.send(peer, m, responder, r)
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
    if (num > 0) {
      // §2.4: later blocks come from the body kept when block 0 was served.
      const cached = this.block2.get(key())
      if (cached !== null) return send(sliceBlock2(cached, num, szx) ?? plain(Response.BAD_OPTION))
    }
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
    }
    const done = (r: OutgoingResponse): void => {
      if (typeof r !== 'object' || r === null || typeof r.code !== 'number') {
        fail(new TypeError('the request handler returned no response'))
        return
      }
      let out: ResponseParts = { code: r.code, options: r.options ?? [], payload: r.payload ?? NO_BYTES }
      if (out.payload.length > blockSize(szx) || num > 0) {
        out = sliceBlock2(this.block2.store(key(), out), num, szx) ?? plain(Response.BAD_OPTION)
      }
      // RFC 7959 §2.3: the final response to a Block1 transfer echoes the last block's Block1.
      if (block1 !== null) out = { ...out, options: withBlock(out.options, Option.BLOCK1, block1) }
      send(out)
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

  private send(peer: PeerAddress, request: CoapMessage, responder: Responder, r: ResponseParts): void {
    try {
      responder.respond({ code: r.code, token: request.token, options: r.options, payload: r.payload })
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
    }
  }
}

function plain(code: Code): ResponseParts {
  return { code, options: [], payload: NO_BYTES }
}

function isThenable(x: unknown): x is Promise<OutgoingResponse> {
  return typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function'
}
