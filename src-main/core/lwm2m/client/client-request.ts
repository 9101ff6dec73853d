// SPDX-License-Identifier: Apache-2.0
// A request as the client's operations see it (already past CoAP: path parsed, options read),
// and their answer. lwm2m-client.ts maps CoAP to these and back.
import { Response } from '../../coap/message'
import type { ContentFormat } from '../content-format'
import type { Path } from '../path'
import type { Method } from '../server/messages'

export interface ClientRequest {
  readonly method: Method
  readonly path: Path
  readonly query: readonly string[]
  readonly contentFormat: ContentFormat | null
  readonly accept: ContentFormat | null
  readonly payload: Uint8Array
  /** The Observe option: 0 registers, 1 deregisters, null when absent. */
  readonly observe: number | null
}

export interface ClientResponse {
  readonly code: number
  readonly contentFormat?: ContentFormat
  readonly payload?: Uint8Array
  readonly locationPath?: readonly string[]
}

const utf8 = new TextEncoder()

/** An error answer with a diagnostic payload (RFC 7252 §5.5.2), for the person reading a capture. */
export function fail(code: number, why: string): ClientResponse {
  return { code, payload: utf8.encode(why) }
}

export const Code = Response

/** "4.05" → 133; null when not a class 4 or 5 code. */
export function parseCode(text: string): number | null {
  const m = /^([45])\.([0-9]{2})$/.exec(text)
  if (!m) return null
  const detail = Number(m[2])
  return detail > 31 ? null : Number(m[1]) * 32 + detail
}
