// SPDX-License-Identifier: Apache-2.0
import { randomBytes, timingSafeEqual } from 'node:crypto'

/** 256 random bits, base64url: valid in a URL fragment and in a WebSocket subprotocol. */
export function newToken(): string {
  return randomBytes(32).toString('base64url')
}

/** Constant-time comparison, so the token cannot be guessed byte by byte from response timing. */
export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false
  const a = Buffer.from(expected)
  const b = Buffer.from(presented)
  return a.length === b.length && timingSafeEqual(a, b)
}

export { WS_SUBPROTOCOL as SUBPROTOCOL, WS_TOKEN_PREFIX as TOKEN_PROTOCOL_PREFIX } from '../contract/wire'
