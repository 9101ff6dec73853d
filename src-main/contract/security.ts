// SPDX-License-Identifier: Apache-2.0
// DTLS credentials and handshake records (issue 15 items 3 and 6): what security.* takes and
// returns. Secrets never cross the contract: keys come back masked.
import { integer, literal, object, optional, string } from './schema'

/** Which of our listeners (or, for the simulator as client, which kind of server it talked to). */
export type SecurityRole = 'server' | 'bootstrap'
export type SecurityMode = 'psk' | 'rpk' | 'x509'

/** Endpoint client name as in methods.ts (256 bytes of UTF-8, printable). */
const endpoint = string({ minLength: 1, maxBytes: 256, printable: true })

/** What security.put and security.check take; how each field is read depends on `mode` (docs/security.md). */
export const CREDENTIAL_INPUT = {
  endpoint,
  /** Default "server". */
  role: optional(literal('server', 'bootstrap')),
  mode: literal('psk', 'rpk', 'x509'),
  /** PSK: the identity; X.509: the certificate CN the device must present (default: the endpoint). */
  identity: optional(string({ maxLength: 1024 })),
  /** PSK identity as "text" (default) or "hex". */
  identityEncoding: optional(literal('text', 'hex')),
  /** PSK: the key; RPK: the device's public key (SubjectPublicKeyInfo: PEM, or DER in hex/base64). */
  key: optional(string({ maxLength: 16_384 })),
  /** "hex" (default) or "base64"; PEM is recognised by itself. */
  keyEncoding: optional(literal('hex', 'base64')),
  /** X.509: the device's own certificate, pinned (PEM, or DER in `keyEncoding`). */
  certificate: optional(string({ maxLength: 65_536 })),
  /** X.509: the CA certificate(s) the device's chain must end at (PEM, one or several). */
  trust: optional(string({ maxLength: 262_144 }))
}
export const CREDENTIAL_INPUT_SCHEMA = object(CREDENTIAL_INPUT)

export const HANDSHAKES_PARAMS = object({
  endpoint: optional(endpoint),
  /** The previous page's nextCursor: continue with older records. */
  cursor: optional(integer(1)),
  limit: optional(integer(1, 1000)),
  /** Only failed (or only completed) handshakes. */
  outcome: optional(literal('ok', 'failed'))
})

export interface CredentialDto {
  readonly endpoint: string
  readonly role: SecurityRole
  readonly mode: SecurityMode
  /** PSK: the identity as text, or "0x…" hex when not printable; RPK: "SHA-256 ab:cd:…" of the key; X.509: the CN. */
  readonly identity: string
  /** PSK: "•••• (16 bytes, hidden)"; RPK: the key's type; X.509: what is pinned and trusted. */
  readonly key: string
  /** Plain lines about the credential (trust anchors' subjects, expiry). */
  readonly details: readonly string[]
  /** "bootstrap": put here by a bootstrap run that gave the device credentials for this tool's server. */
  readonly source: 'user' | 'bootstrap'
  readonly updatedAt: string
}

/** security.check: what saving would run into, without saving. */
export interface CredentialReview {
  readonly problems: readonly string[]
  readonly warnings: readonly string[]
  /** Per input field, for showing next to it: field name → problem. */
  readonly fields: Readonly<Record<string, string>>
}

export interface HandshakeDto {
  readonly seq: number
  readonly at: string
  readonly role: SecurityRole
  readonly direction: 'server' | 'client'
  readonly peer: string
  readonly identity: string | null
  readonly endpoint: string | null
  readonly outcome: 'ok' | 'failed'
  readonly cause: string
  readonly message: string
  readonly evidence: Readonly<Record<string, unknown>>
  readonly alert?: { readonly level: number; readonly description: number; readonly name: string; readonly sent: boolean }
  readonly suite?: string
  readonly cid?: { readonly ours: string | null; readonly theirs: string | null }
}

export interface HandshakesPage {
  readonly handshakes: readonly HandshakeDto[]
  /** Pass as `cursor` for the next (older) page; null at the oldest. */
  readonly nextCursor: number | null
}
