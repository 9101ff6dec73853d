// SPDX-License-Identifier: Apache-2.0
// Follows a stream of frames as exchanges (RFC 7252 §5.3.2 tokens, §4.4 Message IDs, RFC 7641
// Observe relations): pairs each response with its request, tells notifications from the first
// answer of an observation, spots retransmissions (same Message ID from the same side), measures
// round trips, and learns which address is which LwM2M endpoint (from Register/Update and
// Bootstrap-Request) so that every frame of a device carries its name. It reads only the CoAP
// header and options; payloads are decoded when a frame is opened (dissect.ts).
import { decodeMessage } from '../coap/codec'
import { Option } from '../coap/message'
import { looksLikeDtls } from './dtls-dissector'
import { classifyRequest, OP_INDEX, requestShape, type Operation } from './operation'
import { objectPath, type RequestContext } from './lwm2m-dissector'

export const NO_OP = 255

export const Protocol = { coap: 0, dtls: 1, unknown: 2 } as const

export interface FrameInput {
  readonly id: number
  readonly at: number
  /** Sender and receiver, e.g. "udp:127.0.0.1:5683" (any stable strings that name the two ends). */
  readonly src: string
  readonly dst: string
  readonly bytes: Uint8Array
  readonly plaintext?: Uint8Array
  /**
   * Where the frame was seen: a live capture sees one datagram twice when both ends are ours (the
   * simulator's socket sends, the server's receives), so exchanges are followed per vantage point.
   * Files have one ('').
   */
  readonly vantage?: string
}

export interface FrameFacts {
  readonly protocol: number
  /** OP_INDEX of the LwM2M operation, or NO_OP. */
  readonly op: number
  /** CoAP code, -1 when there is no CoAP message. */
  readonly code: number
  /** Content-Format, -1 when absent. */
  readonly cf: number
  readonly ep: string | null
  readonly path: string | null
  /** The other frame of the exchange (the request of a response; the ACK's CON), or -1. */
  readonly pair: number
  /** Milliseconds from the request to this response, or -1. */
  readonly rtt: number
  readonly retransmission: boolean
  readonly notification: boolean
  /** The request came from a Bootstrap-Server in a session with the device. */
  readonly bootstrap: boolean
}

interface Pending {
  readonly id: number
  readonly at: number
  readonly op: Operation | null
  readonly segments: readonly string[]
}

interface Observed extends RequestContext {
  readonly path: string | null
}

/** Maps that forget their oldest entries past `limit`, so a long capture stays bounded. */
class Bounded<K, V> extends Map<K, V> {
  constructor(private readonly limit: number) {
    super()
  }
  override set(k: K, v: V): this {
    if (this.size >= this.limit && !this.has(k)) {
      const oldest = this.keys().next()
      if (!oldest.done) this.delete(oldest.value)
    }
    return super.set(k, v)
  }
}

/** What one direction of one conversation (sender → receiver, at one vantage point) has pending. */
class Conversation {
  /** Requests waiting for their answer, by token. */
  readonly pending = new Bounded<number | string, Pending>(4096)
  /** Observe relations whose later answers are notifications, by token. */
  readonly observations = new Bounded<number | string, Observed>(4096)
  /** Recent Message IDs sent this way (CON/NON), for retransmissions and Empty ACKs. */
  readonly mids = new Bounded<number, { id: number; at: number; code: number }>(1024)
  /** The sender is a device in a bootstrap session with the receiver. */
  bootstrap = false
}

// How long a Message ID stays in use (RFC 7252 §4.8.2 EXCHANGE_LIFETIME, 247 s).
const EXCHANGE_LIFETIME_MS = 247_000

/** A token as a map key: a number for up to 6 bytes (no string built), hex beyond. */
function tokenKey(b: Uint8Array): number | string {
  if (b.length <= 6) {
    let n = 0
    for (let i = 0; i < b.length; i++) n = n * 256 + (b[i] as number)
    return n + b.length * 2 ** 48
  }
  let s = ''
  for (let i = 0; i < b.length; i++) s += ((b[i] as number) < 16 ? '0' : '') + (b[i] as number).toString(16)
  return s
}

const NONE: FrameFacts = { protocol: Protocol.unknown, op: NO_OP, code: -1, cf: -1, ep: null, path: null, pair: -1, rtt: -1, retransmission: false, notification: false, bootstrap: false }

export class ExchangeAnalyzer {
  /** vantage → sender → receiver → conversation; the keys are the frames' own strings, so no key is built per frame. */
  readonly #conversations = new Map<string, Map<string, Map<string, Conversation>>>()
  #conversationCount = 0
  readonly #deviceEp = new Bounded<string, string>(200_000)
  readonly #locationEp = new Bounded<string, string>(200_000)
  /** Called when a later frame completes an earlier one (its response or ACK arrived). */
  onPair: ((earlier: number, later: number, rtt: number) => void) | null = null

  /** The endpoint name an address belongs to, as learnt so far. */
  endpointOf(address: string): string | null {
    return this.#deviceEp.get(address) ?? null
  }

  #conversation(vantage: string, from: string, to: string): Conversation {
    let byFrom = this.#conversations.get(vantage)
    if (byFrom === undefined) {
      byFrom = new Map()
      this.#conversations.set(vantage, byFrom)
    }
    let byTo = byFrom.get(from)
    if (byTo === undefined) {
      byTo = new Map()
      byFrom.set(from, byTo)
    }
    let c = byTo.get(to)
    if (c === undefined) {
      // Bounded: a capture of endless fresh peers starts over rather than grow without end.
      if (this.#conversationCount >= 500_000) {
        this.#conversations.clear()
        this.#conversationCount = 0
        return this.#conversation(vantage, from, to)
      }
      c = new Conversation()
      byTo.set(to, c)
      this.#conversationCount++
    }
    return c
  }

  /** The facts of the next frame of the stream (frames must come in capture order). */
  analyze(f: FrameInput): FrameFacts {
    let coap = f.bytes
    let protocol: number = Protocol.coap
    if (looksLikeDtls(f.bytes)) {
      protocol = Protocol.dtls
      if (f.plaintext === undefined) {
        return { ...NONE, protocol, ep: this.#epOf(f) }
      }
      coap = f.plaintext
    }
    const vantage = f.vantage ?? ''
    const d = decodeMessage(coap)
    const m = d.message
    if (m === null) return { ...NONE, protocol: protocol === Protocol.dtls ? protocol : Protocol.unknown, ep: this.#epOf(f) }
    let cf = -1
    for (const o of m.options) if (o.number === Option.CONTENT_FORMAT) cf = o.value.reduce((n, b) => n * 256 + b, 0)
    const forward = this.#conversation(vantage, f.src, f.dst)

    // Retransmission: the same Message ID again from the same side, inside its lifetime (§4.5).
    let retransmission = false
    if (m.type === 'CON' || m.type === 'NON') {
      const seen = forward.mids.get(m.messageId)
      if (seen !== undefined && f.at - seen.at < EXCHANGE_LIFETIME_MS && seen.code === m.code) retransmission = true
      else forward.mids.set(m.messageId, { id: f.id, at: f.at, code: m.code })
    }

    const isRequest = m.code > 0 && m.code < 32
    const token = tokenKey(m.token)
    if (isRequest) {
      const shape = requestShape(m)
      const back = this.#conversation(vantage, f.dst, f.src)
      const bootstrap = back.bootstrap
      const op = classifyRequest(m.code, shape, bootstrap)
      const path = objectPath(shape.segments)
      let ep: string | null = null
      if (op === 'register' || op === 'bootstrap-request') {
        ep = shape.query.find((q) => q.startsWith('ep='))?.slice(3) ?? null
        if (ep !== null) this.#deviceEp.set(f.src, ep)
        if (op === 'bootstrap-request') forward.bootstrap = true
      } else if (op === 'update' || op === 'deregister') {
        ep = this.#locationEp.get(`${f.dst}|/${shape.segments.join('/')}`) ?? this.#deviceEp.get(f.src) ?? null
        if (ep !== null) this.#deviceEp.set(f.src, ep)
      }
      if (op === 'bs-finish') back.bootstrap = false
      if (!retransmission) forward.pending.set(token, { id: f.id, at: f.at, op, segments: shape.segments })
      if (op === 'cancel-observe') forward.observations.delete(token)
      return {
        protocol, op: op === null ? NO_OP : OP_INDEX[op], code: m.code, cf, ep: ep ?? this.#epOf(f),
        path: path === null ? null : '/' + path.join('/'), pair: -1, rtt: -1, retransmission, notification: false, bootstrap
      }
    }
    const back = this.#conversation(vantage, f.dst, f.src)
    if (m.code === 0) {
      // Empty ACK or RST: pairs with the CON of its Message ID.
      const con = back.mids.get(m.messageId)
      const pair = m.type === 'ACK' || m.type === 'RST' ? con?.id ?? -1 : -1
      const rtt = con !== undefined && pair >= 0 ? f.at - con.at : -1
      if (pair >= 0) this.onPair?.(pair, f.id, rtt)
      return { ...NONE, protocol, code: 0, ep: this.#epOf(f), pair, rtt, retransmission }
    }
    // A response: to a pending request (piggybacked or separate), or a notification.
    const req = back.pending.get(token)
    const observed = back.observations.get(token)
    let op: Operation | null = null
    let segments: readonly string[] = []
    let pair = -1
    let rtt = -1
    let notification = false
    if (req !== undefined) {
      back.pending.delete(token)
      op = req.op
      segments = req.segments
      pair = req.id
      rtt = f.at - req.at
      this.onPair?.(pair, f.id, rtt)
      if ((op === 'observe' || op === 'observe-composite') && m.code >> 5 === 2 && m.options.some((o) => o.number === Option.OBSERVE)) {
        back.observations.set(token, { op, segments, path: null })
      }
      if (op === 'register' && m.code >> 5 === 2) {
        const loc = m.options.filter((o) => o.number === Option.LOCATION_PATH).map((o) => utf8.decode(o.value))
        const ep = this.#deviceEp.get(f.dst)
        if (ep !== undefined && loc.length > 0) this.#locationEp.set(`${f.src}|/${loc.join('/')}`, ep)
      }
    } else if (observed !== undefined) {
      op = 'notify'
      segments = observed.segments
      notification = true
      if (m.code >> 5 !== 2) back.observations.delete(token)
    }
    const path = objectPath(segments)
    return {
      protocol, op: op === null ? NO_OP : OP_INDEX[op], code: m.code, cf, ep: this.#epOf(f),
      path: path === null ? null : '/' + path.join('/'), pair, rtt, retransmission, notification, bootstrap: false
    }
  }

  #epOf(f: FrameInput): string | null {
    return this.#deviceEp.get(f.src) ?? this.#deviceEp.get(f.dst) ?? null
  }
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true })
