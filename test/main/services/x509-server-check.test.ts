// Issue 15 item 3 (simulator side): the server's certificate checked as the device's Security
// instance says — Certificate Usage /0/x/15, Matching Type /0/x/13, and the name check against SNI
// /0/x/14 or the URI's host (facts §3.10, RFC 6698 usages, RFC 7925 §4.4.1 / RFC 6125).
import { describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { verifyServerCertificate, type ServerTrust } from '../../../src-main/services/x509-check'
import { makePki } from '../../helpers/pki'

const pki = makePki('lwm2m.example.com')
const leaf = pki.der(pki.devicePem)
const ca = pki.der(pki.caPem)
const now = new Date()
const trust = (over: Partial<ServerTrust>): ServerTrust => ({ serverCertificate: leaf, certificateUsage: 3, matchingType: 0, referenceIdentity: 'lwm2m.example.com', host: 'lwm2m.example.com', ...over })

describe('server certificate per Certificate Usage and Matching Type', () => {
  it('3 domain-issued (default): the leaf is /0/x/4, exactly or by SHA-256; no name check then', () => {
    expect(verifyServerCertificate([leaf], trust({ referenceIdentity: 'other.example' }), now)).toEqual({ ok: true, matched: 'certificate' })
    const sha = new Uint8Array(createHash('sha256').update(leaf).digest())
    expect(verifyServerCertificate([leaf], trust({ serverCertificate: sha, matchingType: 1 }), now)).toEqual({ ok: true, matched: 'certificate' })
    expect(verifyServerCertificate([pki.der(pki.otherDevicePem)], trust({}), now)).toMatchObject({ ok: false, cause: 'cert_untrusted', message: /not the one in \/0\/x\/4/ })
  })
  it('2 trust anchor: a chain issued by /0/x/4 passes when the name matches the SNI, else name_mismatch', () => {
    expect(verifyServerCertificate([leaf], trust({ serverCertificate: ca, certificateUsage: 2 }), now)).toEqual({ ok: true, matched: 'anchor' })
    expect(verifyServerCertificate([leaf], trust({ serverCertificate: ca, certificateUsage: 2, referenceIdentity: 'evil.example' }), now)).toMatchObject({ ok: false, cause: 'name_mismatch', message: /does not name evil.example/ })
    expect(verifyServerCertificate([pki.der(pki.otherDevicePem)], trust({ serverCertificate: ca, certificateUsage: 2 }), now)).toMatchObject({ ok: false, cause: 'cert_untrusted' })
  })
  it('an IP literal without SNI cannot be named by a DNS certificate: say to set /0/x/14', () => {
    const r = verifyServerCertificate([leaf], trust({ serverCertificate: ca, certificateUsage: 2, referenceIdentity: null, host: '192.0.2.1' }), now)
    expect(r).toMatchObject({ ok: false, cause: 'name_mismatch', message: /set \/0\/x\/14/ })
  })
  it('0 CA constraint: /0/x/4 must be among the chain\'s CAs; expired certificates and unreadable bytes are named', () => {
    expect(verifyServerCertificate([leaf, ca], trust({ serverCertificate: ca, certificateUsage: 0 }), now)).toEqual({ ok: true, matched: 'ca' })
    expect(verifyServerCertificate([leaf], trust({ serverCertificate: ca, certificateUsage: 0 }), now)).toMatchObject({ ok: false, cause: 'cert_untrusted' })
    expect(verifyServerCertificate([leaf], trust({}), new Date('2100-01-01'))).toMatchObject({ ok: false, cause: 'cert_untrusted', message: /not valid now/ })
    expect(verifyServerCertificate([new Uint8Array([1, 2, 3])], trust({}), now)).toMatchObject({ ok: false, cause: 'malformed' })
  })
})
