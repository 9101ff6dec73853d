// SPDX-License-Identifier: Apache-2.0
// The DTLS 1.2 handshake header (RFC 6347 §4.2.2; dtls-facts §2.1): 12 bytes in front of every
// handshake message or fragment of one — msg_type(1) ‖ length(3) ‖ message_seq(2) ‖
// fragment_offset(3) ‖ fragment_length(3) — then fragment_length bytes of the body. A handshake
// record may carry several of them. Cutting a message into fragments (RFC 6347 §4.2.3) and the
// transcript form (header as if unfragmented, RFC 6347 §4.2.6) are here too; putting fragments
// back together is reassembly.ts.
//
// Decoding is total: fragments whose header runs past the record stop the decode; a fragment that
// claims bytes beyond its message (offset + fragment_length > length, wolfSSL/wolfssl#5246,
// eclipse-tinydtls/tinydtls#54) is skipped with a violation. msg_type is not judged here.
import { ViolationList, type Violation } from '../violation'

export const HANDSHAKE_HEADER_LENGTH = 12
/** Lengths and offsets are 24-bit (RFC 6347 §4.2.2). */
export const MAX_HANDSHAKE_LENGTH = 2 ** 24 - 1

export const HandshakeType = {
  helloRequest: 0,
  clientHello: 1,
  serverHello: 2,
  helloVerifyRequest: 3,
  newSessionTicket: 4,
  certificate: 11,
  serverKeyExchange: 12,
  certificateRequest: 13,
  serverHelloDone: 14,
  certificateVerify: 15,
  clientKeyExchange: 16,
  finished: 20
} as const

const S_HEADER = 'RFC 6347 §4.2.2'
const S_FRAGMENT = 'RFC 6347 §4.2.3'

export interface HandshakeFragment {
  readonly msgType: number
  /** Length of the whole message body. */
  readonly length: number
  readonly messageSeq: number
  readonly fragmentOffset: number
  /** fragment_length is body.length. */
  readonly body: Uint8Array
}

export interface DecodedHandshake {
  readonly fragments: readonly HandshakeFragment[]
  readonly violations: readonly Violation[]
}

function u24(b: Uint8Array, at: number): number {
  return ((b[at] as number) << 16) | ((b[at + 1] as number) << 8) | (b[at + 2] as number)
}

/** The handshake fragments in one handshake record's plaintext (RFC 6347 §4.2.2). Never throws. */
export function decodeHandshakeFragments(plaintext: Uint8Array): DecodedHandshake {
  const v = new ViolationList()
  const fragments: HandshakeFragment[] = []
  const end = plaintext.length
  let p = 0
  while (p < end) {
    const start = p
    if (end - p < HANDSHAKE_HEADER_LENGTH) {
      v.add(start, 'dtls.handshake-truncated-header', S_HEADER,
        `A handshake header takes ${HANDSHAKE_HEADER_LENGTH} bytes; only ${end - p} remain in the record.`)
      break
    }
    const msgType = plaintext[p] as number
    const length = u24(plaintext, p + 1)
    const messageSeq = ((plaintext[p + 4] as number) << 8) | (plaintext[p + 5] as number)
    const fragmentOffset = u24(plaintext, p + 6)
    const fragmentLength = u24(plaintext, p + 9)
    const bodyAt = p + HANDSHAKE_HEADER_LENGTH
    if (bodyAt + fragmentLength > end) {
      v.add(start + 9, 'dtls.handshake-fragment-overrun', S_HEADER,
        `The fragment claims ${fragmentLength} bytes; only ${end - bodyAt} remain in the record.`)
      break
    }
    p = bodyAt + fragmentLength
    if (fragmentOffset + fragmentLength > length) {
      v.add(start + 6, 'dtls.handshake-fragment-bounds', S_FRAGMENT,
        `Fragment bytes ${fragmentOffset}..${fragmentOffset + fragmentLength} lie beyond the ${length}-byte message; the fragment is skipped.`)
      continue
    }
    fragments.push({ msgType, length, messageSeq, fragmentOffset, body: plaintext.subarray(bodyAt, p) })
  }
  return { fragments, violations: v.items }
}

function checkFragment(f: HandshakeFragment): void {
  if (!Number.isInteger(f.msgType) || f.msgType < 0 || f.msgType > 255) throw new RangeError(`msg_type ${f.msgType}`)
  if (!Number.isInteger(f.messageSeq) || f.messageSeq < 0 || f.messageSeq > 0xffff) throw new RangeError(`message_seq ${f.messageSeq} (16 bits)`)
  if (!Number.isInteger(f.length) || f.length < 0 || f.length > MAX_HANDSHAKE_LENGTH) throw new RangeError(`length ${f.length} (24 bits)`)
  if (!Number.isInteger(f.fragmentOffset) || f.fragmentOffset < 0 || f.fragmentOffset + f.body.length > f.length) {
    throw new RangeError(`fragment ${f.fragmentOffset}+${f.body.length} outside a ${f.length}-byte message (RFC 6347 §4.2.3)`)
  }
}

function writeFragment(f: HandshakeFragment, out: Uint8Array, at: number): number {
  const n = f.body.length
  out[at] = f.msgType
  out[at + 1] = f.length >> 16
  out[at + 2] = (f.length >> 8) & 0xff
  out[at + 3] = f.length & 0xff
  out[at + 4] = f.messageSeq >> 8
  out[at + 5] = f.messageSeq & 0xff
  out[at + 6] = f.fragmentOffset >> 16
  out[at + 7] = (f.fragmentOffset >> 8) & 0xff
  out[at + 8] = f.fragmentOffset & 0xff
  out[at + 9] = n >> 16
  out[at + 10] = (n >> 8) & 0xff
  out[at + 11] = n & 0xff
  out.set(f.body, at + HANDSHAKE_HEADER_LENGTH)
  return at + HANDSHAKE_HEADER_LENGTH + n
}

/** Header ‖ body of fragments packed one after another (one record's plaintext). */
export function encodeHandshakeFragments(fragments: readonly HandshakeFragment[]): Uint8Array {
  let n = 0
  for (const f of fragments) {
    checkFragment(f)
    n += HANDSHAKE_HEADER_LENGTH + f.body.length
  }
  const out = new Uint8Array(n)
  let at = 0
  for (const f of fragments) at = writeFragment(f, out, at)
  return out
}

/**
 * A whole message cut into fragments of at most `maxFragmentBody` body bytes (RFC 6347 §4.2.3),
 * e.g. to fit the PMTU or a record_size_limit. An empty body gives one empty fragment.
 */
export function fragmentHandshake(msgType: number, messageSeq: number, body: Uint8Array, maxFragmentBody: number): HandshakeFragment[] {
  if (!Number.isInteger(maxFragmentBody) || maxFragmentBody < 1) throw new RangeError(`fragment size ${maxFragmentBody}`)
  const out: HandshakeFragment[] = []
  let offset = 0
  do {
    const piece = body.subarray(offset, Math.min(body.length, offset + maxFragmentBody))
    out.push({ msgType, length: body.length, messageSeq, fragmentOffset: offset, body: piece })
    offset += piece.length
  } while (offset < body.length)
  for (const f of out) checkFragment(f)
  return out
}

/**
 * The message as it enters the Finished and session hashes: the 12-byte header written as if
 * unfragmented (fragment_offset 0, fragment_length = length) ‖ body (RFC 6347 §4.2.6).
 */
export function transcriptBytes(msgType: number, messageSeq: number, body: Uint8Array): Uint8Array {
  return encodeHandshakeFragments([{ msgType, length: body.length, messageSeq, fragmentOffset: 0, body }])
}
