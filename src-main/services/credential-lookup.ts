// SPDX-License-Identifier: Apache-2.0
// What the DTLS listeners (and the simulator as a DTLS client) ask of the credential store, and
// what they hand back after each handshake (issue 15 items 3 and 6). Every look-up is answered
// from memory: a flood of ClientHellos never reaches SQLite.
import type { HandshakeDto, SecurityRole } from '../contract/security'

export type { SecurityRole }

export interface PskCredential {
  readonly endpoint: string
  readonly identity: Uint8Array
  readonly key: Uint8Array
}

/** A handshake as the listeners and the simulator report it; the store adds `seq` and `at` (contract/security.ts). */
export type HandshakeRecordInput = Omit<HandshakeDto, 'seq' | 'at'>

/** The outcome of checking a device's certificate chain against its stored X.509 credential. */
export type PeerCertificateCheck =
  | { readonly ok: true; readonly endpoint: string; readonly cn: string }
  | { readonly ok: false; readonly cause: 'cert_untrusted' | 'name_mismatch' | 'malformed'; readonly message: string; readonly evidence: Readonly<Record<string, unknown>> }

export interface CredentialLookup {
  /** The PSK a device presents `identity` for at our `role` listener; null when the identity is unknown. */
  psk(role: SecurityRole, identity: Uint8Array): PskCredential | null
  /** The endpoint the store binds to an authenticated identity (PSK identity bytes, or an X.509 CN / RPK) — Register must use it (else 4.00). */
  endpointFor(role: SecurityRole, identity: Uint8Array): string | null
  recordHandshake(rec: HandshakeRecordInput): void
  /** RPK (RFC 7250): is this SubjectPublicKeyInfo (DER) a device's stored raw public key? Its endpoint, or null. */
  rpkEndpoint(role: SecurityRole, spki: Uint8Array): string | null
  /**
   * X.509 client authentication: the chain (leaf first, DER) checked against the credential named by
   * the leaf's CN — pinned certificate or trust anchors, validity at `now` — with the cause in words.
   */
  verifyPeerCertificate(role: SecurityRole, chain: readonly Uint8Array[], now: Date): PeerCertificateCheck
}
