// SPDX-License-Identifier: Apache-2.0
// A simulated device's Security instance turned into what its DTLS client presents and checks
// (LwM2M Core §E.1; T §5.2): mode 0 the PSK; mode 1 its raw public key, and the server must show
// the key in /0/x/4 (Matching Type /0/x/13); mode 2 its certificate, and the server's chain is
// checked by Certificate Usage, Matching Type and name (services/x509-check.ts).
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto'
import type { CertificateKind } from '../core/dtls/certificate-messages'
import type { PeerCheck } from '../core/dtls/connection'
import { matchesServerKey, type ClientDtlsCredentials } from '../core/lwm2m/client/dtls-credentials'
import { nodeCrypto } from '../transports/node-crypto'
import type { DeviceDtlsCredential } from './device-links'
import { verifyServerCertificate } from './x509-check'

const digest = (alg: 'sha256' | 'sha384' | 'sha512', data: Uint8Array): Uint8Array => new Uint8Array(createHash(alg).update(data).digest())

/** The SubjectPublicKeyInfo of a private key (PKCS#8 DER), or null. */
function publicOf(privateKey: Uint8Array): Uint8Array | null {
  try {
    return new Uint8Array(createPublicKey(createPrivateKey({ key: Buffer.from(privateKey), format: 'der', type: 'pkcs8' })).export({ format: 'der', type: 'spki' }))
  } catch {
    return null
  }
}

export function deviceDtlsCredential(c: ClientDtlsCredentials, uri: string): DeviceDtlsCredential | { problem: string } {
  const common = { ...(c.suites.length > 0 ? { suites: c.suites } : {}), cid: c.useCid }
  if (c.mode === 'psk') return { ...common, psk: { identity: c.identity, key: c.key } }
  if (publicOf(c.privateKey) === null) return { problem: `the private key in /0/${c.securityInstance}/5 for ${uri} is not a PKCS#8 (RFC 5958) key` }
  if (c.mode === 'rpk') {
    const verifyPeer = (kind: CertificateKind, entries: readonly Uint8Array[]): PeerCheck =>
      kind === 'rpk' && entries[0] !== undefined && matchesServerKey(entries[0], c.serverPublicKey, 0, digest)
        ? { ok: true, identity: entries[0] }
        : { ok: false, cause: 'cert_untrusted', message: `the server's raw public key is not the one in /0/${c.securityInstance}/4`, evidence: {} }
    return { ...common, certificate: { publicKey: c.publicKey, privateKey: c.privateKey }, verifyPeer, certificateTypes: ['rpk'] }
  }
  const host = /^coaps:\/\/(\[[^\]]+\]|[^/:?#]+)/i.exec(uri)?.[1]?.replace(/^\[|\]$/g, '') ?? ''
  const verifyPeer = (kind: CertificateKind, entries: readonly Uint8Array[]): PeerCheck => {
    if (kind !== 'x509') return { ok: false, cause: 'cert_untrusted', message: 'the server sent a raw public key where a certificate was expected', evidence: {} }
    const v = verifyServerCertificate(entries, { serverCertificate: c.serverCertificate, certificateUsage: c.certificateUsage, matchingType: c.matchingType, referenceIdentity: c.referenceIdentity, host }, new Date())
    return v.ok ? { ok: true, identity: entries[0] as Uint8Array } : { ok: false, cause: v.cause, message: v.message, evidence: v.evidence }
  }
  const publicKey = nodeCrypto.certificatePublicKey(c.certificate)
  if (publicKey === null) return { problem: `/0/${c.securityInstance}/3 for ${uri} is not a DER certificate` }
  return { ...common, certificate: { publicKey, privateKey: c.privateKey, chain: [c.certificate] }, verifyPeer, certificateTypes: ['x509'] }
}
