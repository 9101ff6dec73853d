// SPDX-License-Identifier: Apache-2.0
// Block-wise transfer, server side (RFC 7959): request bodies arriving in Block1 pieces are put
// together before the handler sees them (§2.5, atomic), and response bodies too large for one
// message are kept and served block by block on demand (§2.4).

import { bytesEqual, concatBytes, toHex } from '../bytes'
import type { PeerAddress } from '../ports'
import { Option, Response, type CoapMessage, type CoapOption, type Code } from './message'
import {
  decodeUint,
  encodeUint,
  getOption,
  withOption,
  withoutOptions,
  withUintOption
} from './options'
import { blockSize, szxForSize, withBlock, type BlockValue } from './block'
import type { TimerSet } from './timers'

export interface ResponseParts {
  readonly code: Code
  readonly options: readonly CoapOption[]
  readonly payload: Uint8Array
}

/** Options that do not tell one request apart from its other blocks (RFC 7959 §2.4, §2.5). */
const BLOCK_OPTIONS: readonly number[] = [
  Option.BLOCK1,
  Option.BLOCK2,
  Option.SIZE1,
  Option.SIZE2,
  Option.OBSERVE,
  Option.ECHO
]

/** Same peer, method and options apart from the block-wise ones (Request-Tag included). */
export function bodyKey(peer: PeerAddress, m: CoapMessage): string {
  let k = `${peer.key}|${m.code}`
  for (const o of m.options) {
    if (!BLOCK_OPTIONS.includes(o.number)) k += `|${o.number}=${toHex(o.value)}`
  }
  return k
}

function reply(code: Code, options: readonly CoapOption[] = [], text = ''): ResponseParts {
  return { code, options, payload: new TextEncoder().encode(text) }
}

function refuse(code: Code, diagnostic: string): Block1Outcome {
  // RFC 7252 §5.5.2: error responses may carry a diagnostic text without Content-Format.
  return { kind: 'reply', response: reply(code, [], diagnostic) }
}

interface PartialBody {
  readonly parts: Uint8Array[]
  received: number
  readonly contentFormat: Uint8Array | undefined
  cancelExpiry: () => void
}

export type Block1Outcome =
  | { readonly kind: 'reply'; readonly response: ResponseParts }
  | { readonly kind: 'complete'; readonly body: Uint8Array; readonly block1: BlockValue }

export class Block1Receiver {
  private readonly partial = new Map<string, PartialBody>()

  constructor(
    private readonly timers: TimerSet,
    /** §2.5: a partial body may be dropped EXCHANGE_LIFETIME after its last block. */
    private readonly lifetimeMs: number,
    private readonly maxBodySize: number,
    private readonly maxBlockSize: number
  ) {}

  accept(key: string, m: CoapMessage, b: BlockValue): Block1Outcome {
    // §2.2: SZX 7 is reserved over UDP; a request carrying it is a 4.00.
    if (b.szx === 7) return refuse(Response.BAD_REQUEST, 'Block1 SZX 7 is reserved')
    const size = blockSize(b.szx)
    const offset = b.num * size
    const cf = getOption(m, Option.CONTENT_FORMAT)?.value
    let body = this.partial.get(key)
    if (b.num === 0) {
      // §2.5: a new NUM 0 from the same endpoint replaces whatever was in progress.
      this.drop(key)
      // A Size1 too large for a safe integer is certainly too large.
      const announced = getOption(m, Option.SIZE1)
      if (announced !== null && (decodeUint(announced.value) ?? Infinity) > this.maxBodySize) {
        return this.tooLarge()
      }
      body = { parts: [], received: 0, contentFormat: cf, cancelExpiry: () => undefined }
      this.partial.set(key, body)
    }
    if (body === undefined || offset !== body.received || !bytesEqual(cf, body.contentFormat)) {
      // §2.5: a gap, a block out of order, or (§2.3) a different Content-Format: 4.08.
      this.drop(key)
      return refuse(Response.REQUEST_ENTITY_INCOMPLETE, `expected the block at byte ${body?.received ?? 0}`)
    }
    if (b.more && m.payload.length !== size) {
      this.drop(key)
      return refuse(Response.BAD_REQUEST, 'a block with more to come must be full size')
    }
    if (body.received + m.payload.length > this.maxBodySize) {
      this.drop(key)
      return this.tooLarge()
    }
    body.parts.push(m.payload)
    body.received += m.payload.length
    if (!b.more) {
      this.drop(key)
      return { kind: 'complete', body: concatBytes(body.parts), block1: b }
    }
    body.cancelExpiry()
    body.cancelExpiry = this.timers.after(this.lifetimeMs, () => {
      if (this.partial.get(key) === body) this.partial.delete(key)
    })
    // §2.3: 2.31 acknowledges this block; its SZX is the size we want from now on (≤ theirs).
    const szx = Math.min(b.szx, szxForSize(this.maxBlockSize))
    return {
      kind: 'reply',
      response: reply(Response.CONTINUE, withBlock([], Option.BLOCK1, { num: b.num, more: true, szx }))
    }
  }

  /** §2.9.3: 4.13 carries Size1, the largest body we take. */
  private tooLarge(): Block1Outcome {
    return {
      kind: 'reply',
      response: reply(Response.REQUEST_ENTITY_TOO_LARGE, withUintOption([], Option.SIZE1, this.maxBodySize))
    }
  }

  private drop(key: string): void {
    const body = this.partial.get(key)
    if (body === undefined) return
    body.cancelExpiry()
    this.partial.delete(key)
  }
}

interface CachedBody {
  readonly response: ResponseParts
  cancelExpiry: () => void
}

/** §2.4: whole response bodies kept so the blocks after the first come from the same version. */
export class Block2Cache {
  private readonly bodies = new Map<string, CachedBody>()
  private etagCounter = 0

  constructor(
    private readonly timers: TimerSet,
    private readonly lifetimeMs: number
  ) {}

  /** Keeps `response` under `key`, adding an ETag if it has none (§2.4: SHOULD, to detect changes). */
  store(key: string, response: ResponseParts): ResponseParts {
    this.drop(key)
    const tagged = getOption(response, Option.ETAG) !== null
      ? response
      : {
          ...response,
          options: withOption(response.options, Option.ETAG, encodeEtag(++this.etagCounter))
        }
    const entry: CachedBody = { response: tagged, cancelExpiry: () => undefined }
    this.bodies.set(key, entry)
    this.touch(key, entry)
    return tagged
  }

  get(key: string): ResponseParts | null {
    const entry = this.bodies.get(key)
    if (entry === undefined) return null
    this.touch(key, entry)
    return entry.response
  }

  private touch(key: string, entry: CachedBody): void {
    entry.cancelExpiry()
    entry.cancelExpiry = this.timers.after(this.lifetimeMs, () => {
      if (this.bodies.get(key) === entry) this.bodies.delete(key)
    })
  }

  private drop(key: string): void {
    this.bodies.get(key)?.cancelExpiry()
    this.bodies.delete(key)
  }
}

function encodeEtag(n: number): Uint8Array {
  const v = encodeUint(n)
  return v.length > 0 ? v : Uint8Array.of(0)
}

/** Block `num` of a body at size 2^(szx+4) with Block2 and Size2 (§2.4, §4); null past the end. */
export function sliceBlock2(r: ResponseParts, num: number, szx: number): ResponseParts | null {
  const size = blockSize(szx)
  const start = num * size
  if (start >= r.payload.length && !(num === 0 && r.payload.length === 0)) return null
  const end = Math.min(start + size, r.payload.length)
  const more = end < r.payload.length
  let options = withBlock(withoutOptions(r.options, Option.BLOCK2), Option.BLOCK2, { num, more, szx })
  options = withUintOption(options, Option.SIZE2, r.payload.length)
  return { code: r.code, options, payload: r.payload.subarray(start, end) }
}
