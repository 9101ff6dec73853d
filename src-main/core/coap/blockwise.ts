// SPDX-License-Identifier: Apache-2.0
// Block-wise transfer, client side (RFC 7959): a request body of any size goes out block by
// block (Block1, §2.5), and a response body of any size is fetched block by block (Block2, §2.4).
// Each block is an ordinary exchange; `send` performs one and knows nothing of blocks.

import { bytesEqual, concatBytes } from '../bytes'
import { blockOption, blockSize, MAX_BLOCK_NUM, szxForSize, withBlock } from './block'
import { CoapBlockwiseError } from './errors'
import { codeClass, formatCode, Option, Response, type CoapMessage, type CoapOption } from './message'
import { decodeUint, getOption, withOption, withoutOptions, withUintOption } from './options'

/** Performs one request/response exchange with these options and payload. */
export type BlockSend = (options: readonly CoapOption[], payload: Uint8Array) => Promise<CoapMessage>

export interface BlockwiseOptions {
  /** Largest Block1 size to send (16..1024); bodies up to this size go in one message. */
  readonly block1Size: number
  /** Block2 size to ask for (early negotiation, §2.4), or null to let the server choose. */
  readonly block2Size: number | null
  /** RFC 9175 §3: keeps this body's blocks apart from other bodies to the same resource. */
  readonly requestTag: Uint8Array | null
  /** Largest response body we put together; a peer could otherwise send blocks forever. */
  readonly maxBodySize: number
}

export interface BlockwiseResult {
  /** The final response with the whole body as payload and without Block2. */
  readonly message: CoapMessage
  /** Request/response exchanges it took. */
  readonly messages: number
}

/** How often a transfer starts over (4.13 with a smaller size, 4.08, an ETag change) before failing. */
const MAX_RESTARTS = 3
const NO_BYTES = new Uint8Array(0)

export function blockwiseRequest(
  send: BlockSend,
  options: readonly CoapOption[],
  body: Uint8Array,
  o: BlockwiseOptions
): Promise<BlockwiseResult> {
  // The usual request: a small body in one message and no Block2 size asked for. One exchange,
  // and only a block-wise answer takes the long way; the same messages as blockwiseTransfer
  // would send, without its async frames. Up to 16 bytes even 4.13 cannot ask for blocks (§2.9.3).
  if (o.block2Size === null && body.length <= 16) {
    try {
      return send(options, body).then((first) => singleAnswer(send, options, body, first, o))
    } catch (error) {
      return Promise.reject(error)
    }
  }
  return blockwiseTransfer(send, options, body, o)
}

function singleAnswer(
  send: BlockSend,
  options: readonly CoapOption[],
  body: Uint8Array,
  first: CoapMessage,
  o: BlockwiseOptions
): BlockwiseResult | Promise<BlockwiseResult> {
  if (codeClass(first.code) !== 2 || blockOption(first, Option.BLOCK2) === null) return { message: first, messages: 1 }
  let messages = 1
  const fetch = (num: number, szx: number): Promise<CoapMessage> => {
    messages++
    return send(withBlock(options, Option.BLOCK2, { num, more: false, szx }), body)
  }
  return collectBlock2(first, fetch, { preferred: null, maxBodySize: o.maxBodySize }).then((message) => ({ message, messages }))
}

async function blockwiseTransfer(
  send: BlockSend,
  options: readonly CoapOption[],
  body: Uint8Array,
  o: BlockwiseOptions
): Promise<BlockwiseResult> {
  let messages = 0
  const counted: BlockSend = (opts, payload) => {
    messages++
    return send(opts, payload)
  }
  const upload = await uploadBlock1(counted, options, body, o)
  // §2.7: after a Block1 upload the Block2 phase repeats the options minus Block1 (and keeps the
  // Request-Tag, RFC 9175 §3.4) without the body; otherwise the request is repeated as it was.
  const follow = upload.tagged ?? options
  const followBody = upload.tagged !== null ? NO_BYTES : body
  const message = await collectBlock2(
    upload.response,
    (num, szx) => counted(withBlock(follow, Option.BLOCK2, { num, more: false, szx }), followBody),
    { preferred: o.block2Size, maxBodySize: o.maxBodySize }
  )
  return { message, messages }
}

interface Upload {
  readonly response: CoapMessage
  /** The options the Block2 phase repeats when Block1 was used, else null. */
  readonly tagged: readonly CoapOption[] | null
}

/** §2.5: send the body in order, following the server's size (2.31 / 4.13) and restarting on 4.08. */
async function uploadBlock1(
  send: BlockSend,
  options: readonly CoapOption[],
  body: Uint8Array,
  o: BlockwiseOptions
): Promise<Upload> {
  let size = blockSize(szxForSize(o.block1Size))
  let blockwise = body.length > size
  let restarts = 0
  let offset = 0
  const base = o.requestTag !== null ? withOption(options, Option.REQUEST_TAG, o.requestTag) : options
  for (;;) {
    if (!blockwise) {
      const first =
        o.block2Size !== null
          ? withBlock(options, Option.BLOCK2, { num: 0, more: false, szx: szxForSize(o.block2Size) })
          : options
      const r = await send(first, body)
      // §2.9.3: 4.13 to a request without Block1 hints at using it.
      if (r.code === Response.REQUEST_ENTITY_TOO_LARGE && body.length > 16 && restarts < MAX_RESTARTS) {
        const hint = blockOption(r, Option.BLOCK1)
        size = Math.min(hint !== null ? blockSize(hint.szx) : size, blockSize(szxForSize(body.length - 1)))
        blockwise = true
        restarts++
        continue
      }
      return { response: r, tagged: null }
    }
    const num = offset / size
    if (num > MAX_BLOCK_NUM) {
      throw new CoapBlockwiseError(`the body needs more than ${MAX_BLOCK_NUM + 1} blocks of ${size} bytes`)
    }
    const end = Math.min(offset + size, body.length)
    const more = end < body.length
    let opts = withBlock(base, Option.BLOCK1, { num, more, szx: szxForSize(size) })
    // RFC 7959 §4: Size1 tells the server the whole size up front so it can refuse early.
    if (num === 0) opts = withUintOption(opts, Option.SIZE1, body.length)
    const r = await send(opts, body.subarray(offset, end))
    const ack = blockOption(r, Option.BLOCK1)
    // §2.3: 2.31, or any 2.xx whose Block1 has M = 1 (a server acting non-atomically), asks
    // for the next block.
    if (more && (r.code === Response.CONTINUE || (codeClass(r.code) === 2 && ack?.more === true))) {
      offset = end
      // §2.5: the SZX in 2.31 is the size the server prefers from now on (never larger).
      if (ack !== null && blockSize(ack.szx) < size) size = blockSize(ack.szx)
      continue
    }
    const smaller = ack !== null && blockSize(ack.szx) < size
    if (restarts < MAX_RESTARTS && ((r.code === Response.REQUEST_ENTITY_TOO_LARGE && smaller) ||
        r.code === Response.REQUEST_ENTITY_INCOMPLETE)) {
      // §2.9.3: 4.13 with a smaller SZX asks for that size; §2.9.2: 4.08 means blocks went
      // missing or expired at the server. Either way the body starts over.
      if (ack !== null && smaller) size = blockSize(ack.szx)
      offset = 0
      restarts++
      continue
    }
    if (more && codeClass(r.code) === 2) {
      // A final success before the last block would leave the body half written.
      const code = formatCode(r.code)
      throw new CoapBlockwiseError(`block ${num} was answered ${code} before the body was complete`, r)
    }
    return { response: r, tagged: withoutOptions(base, Option.BLOCK1, Option.SIZE1) }
  }
}

export interface CollectOptions {
  /** Block size the client wants if smaller than the server's (late negotiation, §2.4). */
  readonly preferred: number | null
  readonly maxBodySize: number
}

/**
 * §2.4: fetch the blocks after `first` in order, at the server's size or the preferred one if
 * smaller, checking that the ETag stays the same (restarting when it changes).
 * `fetch(num, szx)` performs one follow-up exchange.
 */
export async function collectBlock2(
  first: CoapMessage,
  fetch: (num: number, szx: number) => Promise<CoapMessage>,
  o: CollectOptions
): Promise<CoapMessage> {
  let head = first
  let restarts = 0
  restart: for (;;) {
    let block = blockOption(head, Option.BLOCK2)
    if (block === null || codeClass(head.code) !== 2) return head
    if (block.num !== 0) {
      throw new CoapBlockwiseError(`the first response carries block ${block.num}, not 0`, head)
    }
    // RFC 7959 §4: Size2 announces the whole size; refuse early what we would refuse later.
    // A Size2 too large for a safe integer is certainly too large.
    const size2 = getOption(head, Option.SIZE2)
    const announced = size2 === null ? null : (decodeUint(size2.value) ?? Infinity)
    if (announced !== null && announced > o.maxBodySize) {
      throw new CoapBlockwiseError(`the response body (${announced} B) exceeds ${o.maxBodySize} B`, head)
    }
    const etag = getOption(head, Option.ETAG)?.value
    const parts = [head.payload]
    let received = head.payload.length
    let last = head
    while (block.more) {
      // §2.2/§2.3: every block but the last is exactly the size its SZX says.
      if (last.payload.length !== blockSize(block.szx)) {
        throw new CoapBlockwiseError('a block with more to come is not full size', last)
      }
      if (received > o.maxBodySize) {
        throw new CoapBlockwiseError(`the response body exceeds ${o.maxBodySize} bytes`, last)
      }
      const size = Math.min(blockSize(block.szx), o.preferred ?? Infinity)
      const szx = szxForSize(size)
      const num = received / blockSize(szx)
      if (num > MAX_BLOCK_NUM) {
        throw new CoapBlockwiseError('the response has more blocks than Block2 can number', last)
      }
      const r = await fetch(num, szx)
      if (codeClass(r.code) !== 2) {
        throw new CoapBlockwiseError(`block ${num} was answered ${formatCode(r.code)}`, r)
      }
      if (!bytesEqual(getOption(r, Option.ETAG)?.value, etag)) {
        // §2.4: the resource changed between blocks; the pieces must not be mixed.
        if (++restarts > MAX_RESTARTS) {
          throw new CoapBlockwiseError('the representation kept changing during the transfer', r)
        }
        head = await fetch(0, szx)
        continue restart
      }
      const rb = blockOption(r, Option.BLOCK2)
      if (rb === null || rb.num * blockSize(rb.szx) !== received) {
        throw new CoapBlockwiseError(`asked for the block at byte ${received}, got another`, r)
      }
      parts.push(r.payload)
      received += r.payload.length
      block = rb
      last = r
    }
    return { ...head, options: withoutOptions(head.options, Option.BLOCK2), payload: concatBytes(parts) }
  }
}
