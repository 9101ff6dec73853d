// SPDX-License-Identifier: Apache-2.0
// Stateless HelloVerifyRequest cookies (RFC 6347 §4.2.1) over the real HMAC-SHA256.
import { describe, expect, it } from 'vitest'
import { COOKIE_LENGTH, makeCookie, rotateCookieSecrets, verifyCookie } from '../../../src-main/core/dtls/cookie'
import type { ClientHello } from '../../../src-main/core/dtls/handshake-messages'
import { crypto, run } from './helpers'

const ch1: ClientHello = {
  clientVersion: 0xfefd, random: run(1, 32), sessionId: new Uint8Array(0), cookie: new Uint8Array(0), cipherSuites: [0xc0a8, 0x00ff], compressionMethods: [0],
  extensions: [{ type: 54, data: Uint8Array.of(0) }]
}
const addr = '192.0.2.1:5684'

function secretsFrom(seed: number) {
  let n = seed
  return () => new Uint8Array(32).fill(n++)
}

describe('HelloVerifyRequest cookie (RFC 6347 §4.2.1)', () => {
  it('a cookie verifies in the second ClientHello, even when the extensions changed', () => {
    const s = rotateCookieSecrets(undefined, 0, secretsFrom(1))
    const cookie = makeCookie(crypto, s.current, addr, ch1)
    expect(cookie).toHaveLength(COOKIE_LENGTH)
    expect(verifyCookie(crypto, s, addr, { ...ch1, cookie })).toBe(true)
    expect(verifyCookie(crypto, s, addr, { ...ch1, cookie, extensions: [] })).toBe(true)
  })

  it('§4.2.1: the repeated parameters and the client address are bound to the cookie', () => {
    const s = rotateCookieSecrets(undefined, 0, secretsFrom(1))
    const cookie = makeCookie(crypto, s.current, addr, ch1)
    expect(verifyCookie(crypto, s, '192.0.2.1:5685', { ...ch1, cookie })).toBe(false)
    expect(verifyCookie(crypto, s, addr, { ...ch1, cookie, random: run(2, 33) })).toBe(false)
    expect(verifyCookie(crypto, s, addr, { ...ch1, cookie, cipherSuites: [0xc0a8] })).toBe(false)
    expect(verifyCookie(crypto, s, addr, { ...ch1, cookie, sessionId: Uint8Array.of(1) })).toBe(false)
    expect(verifyCookie(crypto, s, addr, { ...ch1, cookie, clientVersion: 0xfeff })).toBe(false)
    expect(verifyCookie(crypto, s, addr, { ...ch1, cookie: cookie.subarray(1) })).toBe(false)
    expect(verifyCookie(crypto, s, addr, ch1)).toBe(false)
  })

  it('the secret rotates: a cookie of the previous secret still verifies, one of two rotations ago does not', () => {
    const fresh = secretsFrom(1)
    const s0 = rotateCookieSecrets(undefined, 0, fresh, 1000)
    expect(rotateCookieSecrets(s0, 999, fresh, 1000)).toBe(s0)
    const cookie = makeCookie(crypto, s0.current, addr, ch1)
    const s1 = rotateCookieSecrets(s0, 1000, fresh, 1000)
    expect(s1.previous).toBe(s0.current)
    expect(verifyCookie(crypto, s1, addr, { ...ch1, cookie })).toBe(true)
    const s2 = rotateCookieSecrets(s1, 2000, fresh, 1000)
    expect(verifyCookie(crypto, s2, addr, { ...ch1, cookie })).toBe(false)
    // a clock that went backwards rotates rather than keeping a secret forever
    expect(rotateCookieSecrets(s2, 0, fresh, 1000)).not.toBe(s2)
  })
})
