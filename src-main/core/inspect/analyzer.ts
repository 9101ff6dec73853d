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
class Bounded<V> extends Map<string, V> {
  constructor(private readonly limit: number) {
    super()
  }
  override set(k: string, v: V): this {
    if (this.size >= this.limit && !this.has(k)) {
      const oldest = this.keys().next()
      if (!oldest.done) this.delete(oldest.value)
    }
    return super.set(k, v)
  }
}

// How long a Message ID stays in use (RFC 7252 §4.8.2 EXCHANGE_LIFETIME, 247 s).
const EXCHANGE_LIFETIME_MS = 247_000

function hexToken(b: Uint8Array): string {
  let s = ''
  for (let i = 0; i < b.length; i++) s += ((b[i] as number) < 16 ? '0' : '') + (b[i] as number).toString(16)
  return s
}

const NONE: FrameFacts = { protocol: Protocol.unknown, op: NO_OP, code: -1, cf: -1, ep: null, path: null, pair: -1, rtt: -1, retransmission: false, notification: false, bootstrap: false }

export class ExchangeAnalyzer {
  readonly #pending = new Bounded<Pending>(200_000)
  readonly #observations = new Bounded<Observed>(200_000)
  readonly #mids = new Bounded<{ id: number; at: number; code: number }>(200_000)
  readonly #deviceEp = new Bounded<string>(200_000)
  readonly #locationEp = new Bounded<string>(200_000)
  readonly #bootstrapPairs = new Bounded<true>(200_000)
  /** Called when a later frame completes an earlier one (its response or ACK arrived). */
  onPair: ((earlier: number, later: number, rtt: number) => void) | null = null

  /** The endpoint name an address belongs to, as learnt so far. */
  endpointOf(address: string): string | null {
    return this.#deviceEp.get(address) ?? null
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

    // Retransmission: the same Message ID again from the same side, inside its lifetime (§4.5).
    let retransmission = false
    if (m.type === 'CON' || m.type === 'NON') {
      const midKey = `${vantage}|${f.src}|${f.dst}|${m.messageId}`
      const seen = this.#mids.get(midKey)
      if (seen !== undefined && f.at - seen.at < EXCHANGE_LIFETIME_MS && seen.code === m.code) retransmission = true
      else this.#mids.set(midKey, { id: f.id, at: f.at, code: m.code })
    }

    const isRequest = m.code > 0 && m.code < 32
    const tokenKey = (from: string, to: string): string => `${vantage}|${from}|${to}|${hexToken(m.token)}`
    if (isRequest) {
      const shape = requestShape(m)
      const bootstrap = this.#bootstrapPairs.has(`${f.dst}|${f.src}`)
      const op = classifyRequest(m.code, shape, bootstrap)
      const path = objectPath(shape.segments)
      let ep: string | null = null
      if (op === 'register' || op === 'bootstrap-request') {
        ep = shape.query.find((q) => q.startsWith('ep='))?.slice(3) ?? null
        if (ep !== null) this.#deviceEp.set(f.src, ep)
        if (op === 'bootstrap-request') this.#bootstrapPairs.set(`${f.src}|${f.dst}`, true)
      } else if (op === 'update' || op === 'deregister') {
        ep = this.#locationEp.get(`${f.dst}|/${shape.segments.join('/')}`) ?? this.#deviceEp.get(f.src) ?? null
        if (ep !== null) this.#deviceEp.set(f.src, ep)
      }
      if (op === 'bs-finish') this.#bootstrapPairs.delete(`${f.dst}|${f.src}`)
      if (!retransmission) this.#pending.set(tokenKey(f.src, f.dst), { id: f.id, at: f.at, op, segments: shape.segments })
      if (op === 'cancel-observe') this.#observations.delete(tokenKey(f.src, f.dst))
      return {
        protocol, op: op === null ? NO_OP : OP_INDEX[op], code: m.code, cf, ep: ep ?? this.#epOf(f),
        path: path === null ? null : '/' + path.join('/'), pair: -1, rtt: -1, retransmission, notification: false, bootstrap
      }
    }
    if (m.code === 0) {
      // Empty ACK or RST: pairs with the CON of its Message ID.
      const con = this.#mids.get(`${vantage}|${f.dst}|${f.src}|${m.messageId}`)
      const pair = m.type === 'ACK' || m.type === 'RST' ? con?.id ?? -1 : -1
      const rtt = con !== undefined && pair >= 0 ? f.at - con.at : -1
      if (pair >= 0) this.onPair?.(pair, f.id, rtt)
      return { ...NONE, protocol, code: 0, ep: this.#epOf(f), pair, rtt, retransmission }
    }
    // A response: to a pending request (piggybacked or separate), or a notification.
    const key = tokenKey(f.dst, f.src)
    const req = this.#pending.get(key)
    const observed = this.#observations.get(key)
    let op: Operation | null = null
    let segments: readonly string[] = []
    let pair = -1
    let rtt = -1
    let notification = false
    if (req !== undefined) {
      this.#pending.delete(key)
      op = req.op
      segments = req.segments
      pair = req.id
      rtt = f.at - req.at
      this.onPair?.(pair, f.id, rtt)
      if ((op === 'observe' || op === 'observe-composite') && m.code >> 5 === 2 && m.options.some((o) => o.number === Option.OBSERVE)) {
        this.#observations.set(key, { op, segments, path: null })
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
      if (m.code >> 5 !== 2) this.#observations.delete(key)
    } else if (retransmission) {
      op = null
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
