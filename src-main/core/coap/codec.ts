// SPDX-License-Identifier: Apache-2.0
// The strict RFC 7252 §3 datagram codec. Decoding is total: any byte string gives a
// DecodedDatagram whose violations say what is wrong and whose `reject` says what RFC 7252
// §4.2/§4.3 tells the receiver to do about it. Encoding is deterministic and refuses only what
// the format cannot represent. Both work in one pass over one buffer; decoded values are views.
import { ViolationList } from '../violation'
import type { CoapMessage, CoapOption, DecodedDatagram, MessageCodec, MessageType } from './message'

const TYPES: readonly MessageType[] = ['CON', 'NON', 'ACK', 'RST']
const TYPE_BITS: Readonly<Record<MessageType, number>> = { CON: 0, NON: 1, ACK: 2, RST: 3 }

const S_HEADER = 'RFC 7252 §3'
const S_OPTION = 'RFC 7252 §3.1'
const S_EMPTY = 'RFC 7252 §4.1'
const S_CODE = 'RFC 7252 §12.1'
const S_USAGE = 'RFC 7252 §4.3'

/** Largest option value: length nibble 14 with a 16-bit extension (RFC 7252 §3.1). */
export const MAX_OPTION_LENGTH = 65535 + 269
/** Option numbers are 16-bit (RFC 7252 §12.2). */
export const MAX_OPTION_NUMBER = 65535
export const MAX_TOKEN_LENGTH = 8

const NO_BYTES: Uint8Array = new Uint8Array(0)
const NO_OPTIONS: readonly CoapOption[] = []

// ---------------------------------------------------------------------------------------------
// Decoding

/**
 * Decodes one UDP/DTLS datagram. Never throws.
 *
 * `message` is null only when there is no RFC 7252 header to read (fewer than 4 bytes, or a
 * version other than 1, whose layout is unknown). Otherwise it holds what was understood: after
 * a format error the token, options and payload stop where the error was found. Act on it only
 * when `reject` is null.
 *
 * `reject` (coap-facts §1.6): 'rst' for a CON with any rejection condition, including the Empty
 * CON of a CoAP ping (§4.2/§4.3: the answer to a ping is a RST, and it is not a violation);
 * 'ignore' for a NON, ACK or RST with one, for Ver ≠ 1 and for a datagram too short to echo.
 */
export function decodeMessage(datagram: Uint8Array): DecodedDatagram {
  const v = new ViolationList()
  const len = datagram.length
  if (len < 4) {
    v.add(0, 'coap.too-short', S_HEADER,
      `A CoAP message has a 4-byte header; this datagram has ${len} bytes.`)
    return { message: null, violations: v.items, reject: 'ignore', messageId: null }
  }
  const b0 = datagram[0] as number
  const version = b0 >> 6
  if (version !== 1) {
    v.add(0, 'coap.version', S_HEADER,
      `CoAP version ${version} is unknown (only 1 is defined); the datagram is ignored.`)
    return { message: null, violations: v.items, reject: 'ignore', messageId: null }
  }
  const type = TYPES[(b0 >> 4) & 3] as MessageType
  const tkl = b0 & 0x0f
  const code = datagram[1] as number
  const messageId = ((datagram[2] as number) << 8) | (datagram[3] as number)
  const cls = code >> 5

  let token = NO_BYTES
  let options: readonly CoapOption[] = NO_OPTIONS
  let payload = NO_BYTES

  if (code === 0) {
    // §4.1: an Empty message is exactly the 4-byte header.
    if (tkl !== 0 || len > 4) {
      v.add(tkl !== 0 ? 0 : 4, 'coap.empty-with-content', S_EMPTY,
        'An Empty message (0.00) must have TKL 0 and no bytes after the Message ID.')
    }
    if (type === 'NON') {
      v.add(1, 'coap.empty-non', S_USAGE, 'A NON message must not be Empty.')
    }
  } else {
    if (cls === 1 || cls === 6 || cls === 7) {
      v.add(1, 'coap.code-class-reserved', S_CODE,
        `Code class ${cls} is reserved in CoAP over UDP.`)
    }
    if (type === 'RST') {
      v.add(1, 'coap.rst-not-empty', S_USAGE, 'A RST message must be Empty (code 0.00).')
    } else if (type === 'ACK' && cls === 0) {
      v.add(1, 'coap.ack-request', S_USAGE,
        'An ACK carries a response or is Empty, never a request.')
    }
    if (tkl > 8) {
      v.add(0, 'coap.tkl-reserved', S_HEADER, `Token length ${tkl} is reserved (0-8 allowed).`)
    } else if (4 + tkl > len) {
      v.add(0, 'coap.token-overrun', S_HEADER,
        `The token is ${tkl} bytes but only ${len - 4} follow the header.`)
    } else {
      token = datagram.subarray(4, 4 + tkl)
      const parsed = readOptions(datagram, 4 + tkl, v)
      options = parsed.options
      payload = parsed.payload
    }
  }

  const message: CoapMessage = { type, code, messageId, token, options, payload }
  let reject: 'rst' | 'ignore' | null = null
  if (v.length > 0) reject = type === 'CON' ? 'rst' : 'ignore'
  else if (code === 0 && type === 'CON') reject = 'rst'
  return { message, violations: v.items, reject, messageId }
}

interface OptionsAndPayload {
  options: readonly CoapOption[]
  payload: Uint8Array
}

/** Reads options from `at` to the payload marker or the end (RFC 7252 §3.1). */
function readOptions(d: Uint8Array, at: number, v: ViolationList): OptionsAndPayload {
  const len = d.length
  const options: CoapOption[] = []
  let number = 0
  let p = at
  while (p < len) {
    const start = p
    const b = d[p++] as number
    if (b === 0xff) {
      if (p === len) {
        v.add(start, 'coap.payload-marker-empty', S_HEADER,
          'A payload marker (0xFF) must be followed by at least one byte.')
        return { options, payload: NO_BYTES }
      }
      return { options, payload: d.subarray(p) }
    }
    let delta = b >> 4
    let length = b & 0x0f
    if (delta === 15) {
      v.add(start, 'coap.option-delta-reserved', S_OPTION,
        'Option delta 15 is reserved outside the payload marker 0xFF.')
      return { options, payload: NO_BYTES }
    }
    if (length === 15) {
      v.add(start, 'coap.option-length-reserved', S_OPTION, 'Option length 15 is reserved.')
      return { options, payload: NO_BYTES }
    }
    // Extended delta precedes extended length (RFC 7252 §3.1).
    if (delta === 13) {
      if (p + 1 > len) return overrun(v, start, options)
      delta = (d[p++] as number) + 13
    } else if (delta === 14) {
      if (p + 2 > len) return overrun(v, start, options)
      delta = (((d[p] as number) << 8) | (d[p + 1] as number)) + 269
      p += 2
    }
    if (length === 13) {
      if (p + 1 > len) return overrun(v, start, options)
      length = (d[p++] as number) + 13
    } else if (length === 14) {
      if (p + 2 > len) return overrun(v, start, options)
      length = (((d[p] as number) << 8) | (d[p + 1] as number)) + 269
      p += 2
    }
    number += delta
    if (number > MAX_OPTION_NUMBER) {
      v.add(start, 'coap.option-number-range', S_OPTION, `Option number ${number} exceeds 65535.`)
      return { options, payload: NO_BYTES }
    }
    if (p + length > len) return overrun(v, start, options)
    options.push({ number, value: d.subarray(p, p + length) })
    p += length
  }
  return { options, payload: NO_BYTES }
}

function overrun(
  v: ViolationList,
  start: number,
  options: readonly CoapOption[]
): OptionsAndPayload {
  v.add(start, 'coap.option-overrun', S_OPTION, 'The option runs past the end of the datagram.')
  return { options, payload: NO_BYTES }
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** Bytes an extended delta or length field needs for `n` (RFC 7252 §3.1). */
function extSize(n: number): number {
  return n < 13 ? 0 : n < 269 ? 1 : 2
}

function inWireOrder(options: readonly CoapOption[]): readonly CoapOption[] {
  for (let i = 1; i < options.length; i++) {
    if ((options[i] as CoapOption).number < (options[i - 1] as CoapOption).number) {
      // Array.prototype.sort is stable, so repeats keep their order (RFC 7252 §3.1, §5.4.5).
      return [...options].sort((a, b) => a.number - b.number)
    }
  }
  return options
}

/**
 * Encodes a message (RFC 7252 §3). Options are written in ascending number order (a stable
 * sort, so repeated options keep their order) with the shortest extended fields; no payload
 * marker is written for an empty payload. Throws a RangeError for what the format cannot carry:
 * a token over 8 bytes, a Message ID or code outside a byte range, an option number outside
 * 0-65535 or a value longer than 65804 bytes. Usage rules (e.g. an Empty NON) are not enforced
 * here: decodeMessage reports them, and a test tool must be able to send them.
 */
export function encodeMessage(m: CoapMessage): Uint8Array {
  const typeBits = TYPE_BITS[m.type]
  if (typeBits === undefined) throw new RangeError(`Unknown CoAP message type ${String(m.type)}`)
  if (!Number.isInteger(m.code) || m.code < 0 || m.code > 255) {
    throw new RangeError(`CoAP code must be an integer 0-255, got ${m.code}`)
  }
  if (!Number.isInteger(m.messageId) || m.messageId < 0 || m.messageId > 0xffff) {
    throw new RangeError(`CoAP Message ID must be an integer 0-65535, got ${m.messageId}`)
  }
  const tkl = m.token.length
  if (tkl > MAX_TOKEN_LENGTH) {
    throw new RangeError(`CoAP token is ${tkl} bytes; RFC 7252 §3 allows 0-8`)
  }
  const options = inWireOrder(m.options)

  let size = 4 + tkl
  let prev = 0
  for (const o of options) {
    const n = o.number
    if (!Number.isInteger(n) || n < 0 || n > MAX_OPTION_NUMBER) {
      throw new RangeError(`CoAP option number must be an integer 0-65535, got ${n}`)
    }
    const vl = o.value.length
    if (vl > MAX_OPTION_LENGTH) {
      throw new RangeError(
        `CoAP option ${n} value is ${vl} bytes; RFC 7252 §3.1 allows at most ${MAX_OPTION_LENGTH}`
      )
    }
    size += 1 + extSize(n - prev) + extSize(vl) + vl
    prev = n
  }
  if (m.payload.length > 0) size += 1 + m.payload.length

  const out = new Uint8Array(size)
  out[0] = 0x40 | (typeBits << 4) | tkl
  out[1] = m.code
  out[2] = m.messageId >> 8
  out[3] = m.messageId & 0xff
  out.set(m.token, 4)
  let p = 4 + tkl
  prev = 0
  for (const o of options) {
    const delta = o.number - prev
    const vl = o.value.length
    prev = o.number
    const head = p++
    out[head] = (nibble(delta) << 4) | nibble(vl)
    p = writeExt(out, p, delta)
    p = writeExt(out, p, vl)
    out.set(o.value, p)
    p += vl
  }
  if (m.payload.length > 0) {
    out[p++] = 0xff
    out.set(m.payload, p)
  }
  return out
}

function nibble(n: number): number {
  return n < 13 ? n : n < 269 ? 13 : 14
}

function writeExt(out: Uint8Array, p: number, n: number): number {
  if (n < 13) return p
  if (n < 269) {
    out[p] = n - 13
    return p + 1
  }
  out[p] = (n - 269) >> 8
  out[p + 1] = (n - 269) & 0xff
  return p + 2
}

export const coapCodec: MessageCodec = {
  decode: decodeMessage,
  encode: encodeMessage
}
