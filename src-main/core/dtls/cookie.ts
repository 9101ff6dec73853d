// SPDX-License-Identifier: Apache-2.0
// Stateless HelloVerifyRequest cookies (RFC 6347 §4.2.1; dtls-facts §2.4): the server answers a
// cookie-less ClientHello with HMAC-SHA256(secret, client address ‖ the ClientHello fields the
// second hello must repeat) and keeps nothing. Extensions are not covered: they may change between
// the two hellos (wolfSSL drops connection_id after an HVR, wolfSSL/wolfssl#7841). The secret
// rotates; a cookie made with the previous secret still verifies, so a rotation between the two
// hellos does not fail a handshake. Pure: secrets, time and randomness come from the caller.
import type { Crypto } from '../crypto'
import { constantTimeEqual } from './constant-time'
import type { ClientHello } from './handshake-messages'
import { WireWriter } from './wire-reader'

export const COOKIE_LENGTH = 32
export const COOKIE_SECRET_LENGTH = 32
/** How long a secret is current before the next one takes over. */
export const DEFAULT_COOKIE_ROTATION_MS = 60_000

export interface CookieSecrets {
  readonly current: Uint8Array
  readonly previous?: Uint8Array
  /** When `current` became current (caller's clock, ms). */
  readonly since: number
}

/**
 * The secrets at time `now`: unchanged while `current` is younger than `periodMs`, else a fresh
 * secret from `fresh` becomes current and the old one previous. Pass undefined to start.
 */
export function rotateCookieSecrets(s: CookieSecrets | undefined, now: number, fresh: () => Uint8Array, periodMs = DEFAULT_COOKIE_ROTATION_MS): CookieSecrets {
  if (s === undefined) return { current: fresh(), since: now }
  if (now - s.since < periodMs && now >= s.since) return s
  return { current: fresh(), previous: s.current, since: now }
}

/** The HMAC input: every field length-prefixed so no two inputs share an encoding. */
function cookieInput(clientKey: string, ch: ClientHello): Uint8Array {
  return new WireWriter()
    .vector(new TextEncoder().encode(clientKey), 2, 'client address key')
    .uint(ch.clientVersion, 2, 'client_version')
    .vector(ch.random, 1, 'random')
    .vector(ch.sessionId, 1, 'session_id')
    .uintList(ch.cipherSuites, 2, 2, 'cipher_suites')
    .uintList(ch.compressionMethods, 1, 1, 'compression_methods')
    .finish()
}

/** The cookie for this client (`clientKey`, e.g. "192.0.2.1:5684") and hello, with `secret`. */
export function makeCookie(crypto: Pick<Crypto, 'hmacSha256'>, secret: Uint8Array, clientKey: string, ch: ClientHello): Uint8Array {
  return crypto.hmacSha256(secret, cookieInput(clientKey, ch))
}

/** True when `ch.cookie` was made for this client and these hello fields with the current or previous secret. */
export function verifyCookie(crypto: Pick<Crypto, 'hmacSha256'>, secrets: CookieSecrets, clientKey: string, ch: ClientHello): boolean {
  if (ch.cookie.length !== COOKIE_LENGTH) return false
  let input: Uint8Array
  try {
    input = cookieInput(clientKey, ch)
  } catch {
    return false // fields that cannot be encoded were never in a cookie we made
  }
  const okCurrent = constantTimeEqual(crypto.hmacSha256(secrets.current, input), ch.cookie)
  const okPrevious = secrets.previous !== undefined && constantTimeEqual(crypto.hmacSha256(secrets.previous, input), ch.cookie)
  return okCurrent || okPrevious
}
