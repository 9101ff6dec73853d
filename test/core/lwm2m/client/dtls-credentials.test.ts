// Issue 15 item 5/6 (simulator side): a simulated device's own DTLS credentials for a coaps://
// server, read from its Security instance (facts §3.10, Object 0: modes 0 PSK, 1 RPK, 2 certificate,
// SNI /0/x/14, Certificate Usage /0/x/15, Matching Type /0/x/13, suites /0/x/16, CID bit /0/x/24).
import { describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { clientDtlsCredentials, matchesServerKey } from '../../../../src-main/core/lwm2m/client/dtls-credentials'
import { ObjectTree } from '../../../../src-main/core/lwm2m/client/object-tree'
import type { Value } from '../../../../src-main/core/lwm2m/value'
import { data, int, models, opaque, str, text, uint } from './fixtures'

function treeWith(uri: string, mode: number, extra: Record<number, Value | Value[]> = {}): ObjectTree {
  const tree = new ObjectTree(models)
  tree.addObject(0)
  tree.putInstance(0, 4, data({ 0: str(uri), 1: { type: 'boolean', value: false }, 2: int(mode), 3: opaque(), 4: opaque(), 5: opaque(), 10: int(1), ...extra }))
  return tree
}

describe('the simulator as DTLS client: credentials from /0/x', () => {
  it('mode 0 PSK: identity /0/x/3 and key /0/x/5, suites /0/x/16 in instance order, CID from /0/x/24 bit 12', () => {
    const tree = treeWith('coaps://127.0.0.1:5684', 0, { 3: opaque(text('sim-1')), 5: opaque([1, 2, 3]), 16: [uint(0xc0a8), uint(0x00ae)], 24: uint(1 << 12) })
    const r = clientDtlsCredentials(tree, 'coaps://127.0.0.1:5684')
    expect(r).toMatchObject({ ok: true, credentials: { mode: 'psk', securityInstance: 4, suites: [0xc0a8, 0xae], useCid: true } })
    expect(r.ok && r.credentials?.mode === 'psk' && new TextDecoder().decode(r.credentials.identity)).toBe('sim-1')
  })
  it('mode 2 certificate: usage defaults to 3 (domain-issued), matching to 0 (exact); SNI is the reference identity, else a DNS host, never an IP literal', () => {
    const base = { 3: opaque([0x30]), 4: opaque([0x30, 1]), 5: opaque([0x30, 2]) }
    const dns = clientDtlsCredentials(treeWith('coaps://lwm2m.example.com', 2, base), 'coaps://lwm2m.example.com')
    expect(dns).toMatchObject({ ok: true, credentials: { mode: 'x509', certificateUsage: 3, matchingType: 0, referenceIdentity: 'lwm2m.example.com' } })
    const ip = clientDtlsCredentials(treeWith('coaps://192.0.2.1:5684', 2, base), 'coaps://192.0.2.1:5684')
    expect(ip).toMatchObject({ ok: true, credentials: { referenceIdentity: null } })
    const sni = clientDtlsCredentials(treeWith('coaps://192.0.2.1:5684', 2, { ...base, 14: str('server.example'), 15: uint(1), 13: uint(1) }), 'coaps://192.0.2.1:5684')
    expect(sni).toMatchObject({ ok: true, credentials: { referenceIdentity: 'server.example', certificateUsage: 1, matchingType: 1 } })
  })
  it('mode 1 RPK needs the server key /0/x/4', () => {
    expect(clientDtlsCredentials(treeWith('coaps://h', 1, { 3: opaque([1]), 5: opaque([2]) }), 'coaps://h')).toEqual({ ok: false, problem: "/0/4/4 (server's public key) is empty" })
  })
  it('plain words for accounts that cannot work: coaps with NoSec, coap with PSK, a PSK account without its key, EST, no account', () => {
    expect(clientDtlsCredentials(treeWith('coaps://h', 3), 'coaps://h')).toMatchObject({ ok: false, problem: expect.stringMatching(/coaps:\/\/, but \/0\/4\/2 is NoSec/) })
    expect(clientDtlsCredentials(treeWith('coap://h', 3), 'coap://h')).toEqual({ ok: true, credentials: null })
    expect(clientDtlsCredentials(treeWith('coap://h', 0), 'coap://h')).toMatchObject({ ok: false, problem: expect.stringMatching(/plain coap/) })
    expect(clientDtlsCredentials(treeWith('coaps://h', 0, { 3: opaque([1]) }), 'coaps://h')).toEqual({ ok: false, problem: '/0/4/5 (PSK key) is empty' })
    expect(clientDtlsCredentials(treeWith('coaps://h', 4), 'coaps://h')).toMatchObject({ ok: false, problem: expect.stringMatching(/EST/) })
    expect(clientDtlsCredentials(treeWith('coaps://h', 0), 'coaps://other')).toMatchObject({ ok: false, problem: expect.stringMatching(/no Security instance/) })
  })
  it('Matching Type: exact bytes, or the SHA-256/384/512 of what the server presents', () => {
    const cert = new Uint8Array([1, 2, 3, 4])
    const digest = (alg: string, d: Uint8Array) => new Uint8Array(createHash(alg).update(d).digest())
    expect(matchesServerKey(cert, cert, 0, digest)).toBe(true)
    expect(matchesServerKey(cert, digest('sha256', cert), 1, digest)).toBe(true)
    expect(matchesServerKey(cert, digest('sha512', cert), 3, digest)).toBe(true)
    expect(matchesServerKey(cert, digest('sha256', cert), 2, digest)).toBe(false)
    expect(matchesServerKey(new Uint8Array([9]), cert, 0, digest)).toBe(false)
  })
})
