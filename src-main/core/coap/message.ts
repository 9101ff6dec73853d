// SPDX-License-Identifier: Apache-2.0
// A CoAP message as the layers above the codec see it (RFC 7252 §3). The codec turns bytes into
// this and back; the message layer, the exchange layer and the roles only ever touch this shape.

/** RFC 7252 §3: T field. */
export type MessageType = 'CON' | 'NON' | 'ACK' | 'RST'

/** class * 32 + detail (RFC 7252 §3); write it "2.05" with formatCode. 0 is the Empty message. */
export type Code = number

export type OptionNumber = number

export interface CoapOption {
  readonly number: OptionNumber
  /** Raw value bytes; options.ts has the uint/string helpers. */
  readonly value: Uint8Array
}

export interface CoapMessage {
  readonly type: MessageType
  readonly code: Code
  /** 0..65535 */
  readonly messageId: number
  /** 0..8 bytes (RFC 7252 §5.3.1). */
  readonly token: Uint8Array
  /** In wire order: ascending number, repeats in their original order. */
  readonly options: readonly CoapOption[]
  /** Empty when there is none (the codec never writes a payload marker for it). */
  readonly payload: Uint8Array
}

export function code(cls: number, detail: number): Code {
  return cls * 32 + detail
}

export function codeClass(c: Code): number {
  return c >> 5
}

export function formatCode(c: Code): string {
  return `${c >> 5}.${String(c & 31).padStart(2, '0')}`
}

export const EMPTY: Code = 0

/** Methods (RFC 7252 §12.1.1, RFC 8132 for FETCH/PATCH/iPATCH). */
export const Method = {
  GET: code(0, 1),
  POST: code(0, 2),
  PUT: code(0, 3),
  DELETE: code(0, 4),
  FETCH: code(0, 5),
  PATCH: code(0, 6),
  IPATCH: code(0, 7)
} as const

/** Response codes used by LwM2M (RFC 7252 §12.1.2, RFC 7959, RFC 8132, RFC 9175). */
export const Response = {
  CREATED: code(2, 1),
  DELETED: code(2, 2),
  VALID: code(2, 3),
  CHANGED: code(2, 4),
  CONTENT: code(2, 5),
  CONTINUE: code(2, 31),
  BAD_REQUEST: code(4, 0),
  UNAUTHORIZED: code(4, 1),
  BAD_OPTION: code(4, 2),
  FORBIDDEN: code(4, 3),
  NOT_FOUND: code(4, 4),
  METHOD_NOT_ALLOWED: code(4, 5),
  NOT_ACCEPTABLE: code(4, 6),
  REQUEST_ENTITY_INCOMPLETE: code(4, 8),
  CONFLICT: code(4, 9),
  PRECONDITION_FAILED: code(4, 12),
  REQUEST_ENTITY_TOO_LARGE: code(4, 13),
  UNSUPPORTED_CONTENT_FORMAT: code(4, 15),
  UNPROCESSABLE_ENTITY: code(4, 22),
  INTERNAL_SERVER_ERROR: code(5, 0),
  NOT_IMPLEMENTED: code(5, 1),
  SERVICE_UNAVAILABLE: code(5, 3),
  GATEWAY_TIMEOUT: code(5, 4)
} as const

/** Option numbers (RFC 7252 §12.2, RFC 7641, RFC 7959, RFC 9175, RFC 7967, RFC 8768). */
export const Option = {
  IF_MATCH: 1,
  URI_HOST: 3,
  ETAG: 4,
  IF_NONE_MATCH: 5,
  OBSERVE: 6,
  URI_PORT: 7,
  LOCATION_PATH: 8,
  URI_PATH: 11,
  CONTENT_FORMAT: 12,
  MAX_AGE: 14,
  URI_QUERY: 15,
  HOP_LIMIT: 16,
  ACCEPT: 17,
  LOCATION_QUERY: 20,
  BLOCK2: 23,
  BLOCK1: 27,
  SIZE2: 28,
  PROXY_URI: 35,
  PROXY_SCHEME: 39,
  SIZE1: 60,
  ECHO: 252,
  NO_RESPONSE: 258,
  REQUEST_TAG: 292
} as const

/** What the codec made of one datagram. Never thrown: malformed input is data (DESIGN.md). */
export interface DecodedDatagram {
  /** The message, or null when it could not be parsed far enough to act on. */
  readonly message: CoapMessage | null
  readonly violations: readonly import('../violation').Violation[]
  /**
   * What RFC 7252 §4.2/§4.3 says to do when the datagram cannot be processed: 'rst' (a CON with
   * a format error: reset echoing its MID), 'ignore' (NON/ACK/RST, Ver ≠ 1, too short), or null
   * when the message is fine to process.
   */
  readonly reject: 'rst' | 'ignore' | null
  /** The Message ID when the header was readable (needed to send the RST). */
  readonly messageId: number | null
}

/** The codec as the message layer uses it (datagram framing, RFC 7252 §3). */
export interface MessageCodec {
  decode(datagram: Uint8Array): DecodedDatagram
  /** Deterministic; throws for a message that cannot be written (e.g. a 9-byte token). */
  encode(message: CoapMessage): Uint8Array
}
