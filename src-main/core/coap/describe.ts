// SPDX-License-Identifier: Apache-2.0
// One-line summaries of CoAP messages for logs and the inspector's packet list, e.g.
// `CON GET mid=0x1234 tok=ab12 /rd?ep=dev1&lt=300 [Content-Format: 40] 123 B`.
import { toHex as hex } from '../bytes'
import { parseBlock } from './block'
import { formatCode, Option, type CoapMessage, type CoapOption, type Code } from './message'
import { decodeString, decodeUint, optionDef, optionName } from './options'

const METHOD_NAMES: readonly string[] = [
  '', 'GET', 'POST', 'PUT', 'DELETE', 'FETCH', 'PATCH', 'iPATCH'
]

// RFC 7252 §12.1.2, RFC 7959 §2.9, RFC 8132, RFC 8516, RFC 8768 (coap-facts §3.8).
const RESPONSE_NAMES: ReadonlyMap<Code, string> = new Map([
  [0x41, 'Created'], [0x42, 'Deleted'], [0x43, 'Valid'], [0x44, 'Changed'], [0x45, 'Content'],
  [0x5f, 'Continue'],
  [0x80, 'Bad Request'], [0x81, 'Unauthorized'], [0x82, 'Bad Option'], [0x83, 'Forbidden'],
  [0x84, 'Not Found'], [0x85, 'Method Not Allowed'], [0x86, 'Not Acceptable'],
  [0x88, 'Request Entity Incomplete'], [0x89, 'Conflict'], [0x8c, 'Precondition Failed'],
  [0x8d, 'Request Entity Too Large'], [0x8f, 'Unsupported Content-Format'],
  [0x96, 'Unprocessable Entity'], [0x9d, 'Too Many Requests'],
  [0xa0, 'Internal Server Error'], [0xa1, 'Not Implemented'], [0xa2, 'Bad Gateway'],
  [0xa3, 'Service Unavailable'], [0xa4, 'Gateway Timeout'], [0xa5, 'Proxying Not Supported'],
  [0xa8, 'Hop Limit Reached']
])

/** "GET" for a method, "2.05 Content" for a known response, "Empty" for 0.00, else "c.dd". */
export function codeName(c: Code): string {
  if (c === 0) return 'Empty'
  if (c < 32 && METHOD_NAMES[c]) return METHOD_NAMES[c] as string
  const name = RESPONSE_NAMES.get(c)
  return name === undefined ? formatCode(c) : `${formatCode(c)} ${name}`
}

const MAX_TEXT = 64
const MAX_HEX = 32

/** An opaque value as 0x…, cut after MAX_HEX bytes (values may be 65804 bytes long). */
function hexValue(b: Uint8Array): string {
  return b.length > MAX_HEX ? `0x${hex(b.subarray(0, MAX_HEX))}…` : `0x${hex(b)}`
}

// Keeps one line one line: control characters and the separators of the rendered URI are
// percent-encoded (RFC 3986 §2.1), long values cut.
function printable(s: string, reserved: RegExp): string {
  const cut = s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s
  return cut.replace(reserved, (ch) => {
    const c = ch.charCodeAt(0)
    return `%${c.toString(16).toUpperCase().padStart(2, '0')}`
  })
}

const PATH_RESERVED = /[\u0000-\u0020\u007f%/?#]/g
const QUERY_RESERVED = /[\u0000-\u0020\u007f%&#]/g
const TEXT_RESERVED = /[\u0000-\u001f\u007f\]]/g
const pathText = (v: Uint8Array): string => printable(decodeString(v), PATH_RESERVED)
const queryText = (v: Uint8Array): string => printable(decodeString(v), QUERY_RESERVED)

/** The value of one option as a person reads it: uint in decimal, strings as text, else hex. */
export function describeOptionValue(o: CoapOption): string {
  const n = o.number
  if (n === Option.BLOCK1 || n === Option.BLOCK2) {
    const b = parseBlock(o.value)
    // RFC 7959 §2.2 notation NUM/M/size.
    return b === null ? hexValue(o.value) : `${b.num}/${b.more ? 1 : 0}/${b.size}`
  }
  const d = optionDef(n)
  switch (d?.format) {
    case 'uint': {
      const u = decodeUint(o.value)
      return u === null ? hexValue(o.value) : String(u)
    }
    case 'string':
      return printable(decodeString(o.value), TEXT_RESERVED)
    default:
      // empty, opaque and unknown options
      return o.value.length === 0 ? '' : hexValue(o.value)
  }
}

/**
 * A one-line summary: type, code, Message ID, token, the request URI (Uri-Path and Uri-Query),
 * the Location (Location-Path/-Query) of a response, every other option in brackets and the
 * payload size.
 */
export function describeMessage(m: CoapMessage): string {
  const parts = [m.type, codeName(m.code), `mid=0x${m.messageId.toString(16).padStart(4, '0')}`]
  if (m.token.length > 0) parts.push(`tok=${hex(m.token)}`)
  let path = ''
  let query = ''
  let location = ''
  let locationQuery = ''
  const rest: string[] = []
  for (const o of m.options) {
    switch (o.number) {
      case Option.URI_PATH:
        path += `/${pathText(o.value)}`
        break
      case Option.URI_QUERY:
        query += `${query ? '&' : '?'}${queryText(o.value)}`
        break
      case Option.LOCATION_PATH:
        location += `/${pathText(o.value)}`
        break
      case Option.LOCATION_QUERY:
        locationQuery += `${locationQuery ? '&' : '?'}${queryText(o.value)}`
        break
      default: {
        const value = describeOptionValue(o)
        const name = optionName(o.number)
        rest.push(value === '' ? `[${name}]` : `[${name}: ${value}]`)
      }
    }
  }
  // A request always has a URI, "/" at least (RFC 7252 §6.5 step 8); Empty and responses do not.
  if (m.code > 0 && m.code < 32) parts.push((path || '/') + query)
  else if (path || query) parts.push(path + query)
  if (location || locationQuery) parts.push(`loc=${location || '/'}${locationQuery}`)
  parts.push(...rest)
  if (m.payload.length > 0) parts.push(`${m.payload.length} B`)
  return parts.join(' ')
}
