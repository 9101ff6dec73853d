// SPDX-License-Identifier: Apache-2.0
// What the DTLS listeners (and the simulator as a DTLS client) ask of the credential store, and
// what they hand back after each handshake (issue 15 items 3 and 6). Every look-up is answered
// from memory: a flood of ClientHellos never reaches SQLite.
import type { SecurityRole } from '../contract/security'

export type { SecurityRole }

export interface PskCredential {
  readonly endpoint: string
  readonly identity: Uint8Array
  readonly key: Uint8Array
}

export interface HandshakeRecordInput {
  /**
   * The LwM2M role of the DTLS server side: 'server' or 'bootstrap' for our own listeners; for the
   * simulator (direction 'client') the kind of server it was connecting to.
   */
  readonly role: SecurityRole
  /** Our side of the handshake: 'server' on our listeners, 'client' in the simulator. */
  readonly direction: 'server' | 'client'
  /** "127.0.0.1:40000", "[::1]:40000" */
  readonly peer: string
  /** PSK identity as text, or hex when not printable ("0x…"); a certificate's CN; null when none arrived. */
  readonly identity: string | null
  /** Bound endpoint when known. */
  readonly endpoint: string | null
  readonly outcome: 'ok' | 'failed'
  /** machine code: 'unknown_psk_identity' | 'wrong_key' | 'no_common_suite' | 'cert_untrusted' | 'name_mismatch' | 'cid_not_negotiated' | 'timeout' | 'alert_received' | 'malformed' | 'ok' */
  readonly cause: string
  /** Plain words, e.g. "wrong key for identity sim-1 (Finished did not verify)". */
  readonly message: string
  /** e.g. { offered: [...suites], ours: [...] }, chain, retransmissions */
  readonly evidence: Readonly<Record<string, unknown>>
  readonly alert?: { readonly level: number; readonly description: number; readonly name: string; readonly sent: boolean }
  readonly suite?: string
  /** hex */
  readonly cid?: { readonly ours: string | null; readonly theirs: string | null }
}

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
