// Issue 15 item 3: credential entry that catches the common mix-ups with a plain message (the
// questions Leshan's users keep asking: #407 an ASCII key pasted as hex, #561 PEM where DER is
// expected, #1556 a certificate or private key where a key belongs), and the containers of T §5
// (facts §3.10): RPK = SubjectPublicKeyInfo, X.509 = DER certificates, PEM accepted.
import { describe, expect, it } from 'vitest'
import { generateKeyPairSync } from 'node:crypto'
import fc from 'fast-check'
import { certificatesEntry, derKind, identityText, maskedSecret, pemBlocks, pskKeyEntry, rpkEntry } from '../../src-main/core/credential-entry'
import { makePki } from '../helpers/pki'

const pki = makePki('entry-dev')
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const spki = new Uint8Array(ec.publicKey.export({ type: 'spki', format: 'der' }))
const pkcs8 = new Uint8Array(ec.privateKey.export({ type: 'pkcs8', format: 'der' }))
const sec1 = new Uint8Array(ec.privateKey.export({ type: 'sec1', format: 'der' }))
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64')
const problem = (r: { ok: boolean; problem?: string }) => (r.ok ? 'ok' : r.problem)

describe('DER containers told apart by shape (T §5: SPKI, OneAsymmetricKey, certificates)', () => {
  it('knows a certificate, an SPKI, a PKCS #8 and a SEC 1 private key, and a bare point', () => {
    expect(derKind(pki.der(pki.devicePem))).toBe('certificate')
    expect(derKind(spki)).toBe('spki')
    expect(derKind(pkcs8)).toBe('pkcs8-private-key')
    expect(derKind(sec1)).toBe('sec1-private-key')
    expect(derKind(spki.subarray(26))).toBe('raw-ec-point')
    expect(derKind(new Uint8Array([1, 2, 3]))).toBe('unknown')
  })
  it('never throws on any bytes (fuzz)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => void derKind(b)), { numRuns: 2000 })
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        pemBlocks(s)
        rpkEntry(s, 'hex')
        pskKeyEntry(s, 'hex')
        certificatesEntry(s, 'base64', 'x')
      }),
      { numRuns: 2000 }
    )
  })
})

describe('PSK key entry: the mix-ups in plain words', () => {
  it('#407: an ASCII password in the hex field says so and how to fix it, without echoing the key', () => {
    const p = problem(pskKeyEntry('my-secret-password', 'hex'))
    expect(p).toMatch(/looks like text/)
    expect(p).toMatch(/616263/)
    expect(p).not.toContain('secret-password')
  })
  it('odd hex: a digit missing or extra', () => {
    expect(problem(pskKeyEntry('000102030405060708090a0b0c0d0e0', 'hex'))).toMatch(/odd number of hex digits \(31\): one is missing or extra/)
  })
  it('spaces, colons and 0x are named rather than reported as "not hex"', () => {
    expect(problem(pskKeyEntry('00:01:02:03', 'hex'))).toMatch(/spaces, colons or a 0x prefix/)
    expect(problem(pskKeyEntry('0x000102030405060708090a0b0c0d0e0f', 'hex'))).toMatch(/0x prefix/)
  })
  it('base64 typed into the hex field: choose base64', () => {
    expect(problem(pskKeyEntry(b64(new Uint8Array(16).fill(7)), 'hex'))).toMatch(/looks like base64/)
  })
  it('#561/#1556: PEM or a certificate pasted as a PSK key', () => {
    expect(problem(pskKeyEntry(pki.devicePem, 'hex'))).toMatch(/PEM block \(CERTIFICATE\), not a PSK key/)
    expect(problem(pskKeyEntry(b64(spki), 'base64'))).toMatch(/holds a public key .* not a PSK key/)
  })
  it('hex typed with base64 chosen is accepted but flagged: the same text is 16 bytes as hex, 24 as base64', () => {
    const r = pskKeyEntry('000102030405060708090a0b0c0d0e0f', 'base64')
    expect(r.ok && r.warning).toBe('these are also hex digits: as hex the key would be 16 bytes, as base64 it is 24 — check the encoding')
  })
  it('a good key passes in both encodings to the same bytes', () => {
    const k = new Uint8Array(16).map((_, i) => i)
    const a = pskKeyEntry(hex(k), 'hex')
    const b = pskKeyEntry(b64(k), 'base64')
    expect(a.ok && b.ok && hex(a.bytes) === hex(b.bytes)).toBe(true)
  })
})

describe('RPK entry: a SubjectPublicKeyInfo, from PEM, hex or base64', () => {
  it('takes PEM, DER hex and DER base64 to the same SPKI', () => {
    for (const r of [rpkEntry(pki.devicePublicPem, 'hex'), rpkEntry(hex(pki.der(pki.devicePublicPem)), 'hex'), rpkEntry(b64(pki.der(pki.devicePublicPem)), 'base64')])
      expect(r.ok && hex(r.bytes)).toBe(hex(pki.der(pki.devicePublicPem)))
  })
  it('wraps a bare P-256 point into an SPKI, and says so', () => {
    const r = rpkEntry(hex(spki.subarray(26)), 'hex')
    expect(r.ok && hex(r.bytes)).toBe(hex(spki))
    expect(r.ok && r.warning).toMatch(/bare P-256 point/)
  })
  it('a certificate where a public key belongs: take its public key, or choose x509', () => {
    expect(problem(rpkEntry(pki.devicePem, 'hex'))).toMatch(/certificate, not a raw public key.*x509 -pubkey/)
  })
  it('a private key where a public key belongs: the private key stays on the device', () => {
    expect(problem(rpkEntry(pki.deviceKeyPem, 'hex'))).toMatch(/private key \(PKCS #8\), and a public key belongs here/)
    expect(problem(rpkEntry(hex(sec1), 'hex'))).toMatch(/EC private key \(SEC 1\)/)
  })
})

describe('certificate entry (X.509: DER, PEM accepted incl. chains, facts §3.10)', () => {
  it('reads one or several PEM blocks, and DER in hex', () => {
    const r = certificatesEntry(pki.devicePem + pki.caPem, 'hex', 'the chain')
    expect(r.ok && r.certs.length).toBe(2)
    const one = certificatesEntry(hex(pki.der(pki.caPem)), 'hex', 'the CA')
    expect(one.ok && one.certs.length).toBe(1)
  })
  it('refuses a private key pasted as a certificate, naming the block', () => {
    expect(problem(certificatesEntry(pki.caPem + pki.deviceKeyPem, 'hex', 'the trust anchor'))).toMatch(/the trust anchor \(block 2\) is a private key \(PKCS #8\), not a certificate/)
  })
})

describe('showing identities and secrets', () => {
  it('identity as text when printable, else 0x-hex; secrets only as their length', () => {
    expect(identityText(new TextEncoder().encode('sim-1'))).toBe('sim-1')
    expect(identityText(new Uint8Array([0, 255]))).toBe('0x00ff')
    expect(maskedSecret(16)).toBe('•••• (16 bytes, hidden)')
  })
})
