// SPDX-License-Identifier: Apache-2.0
// What a simulated device uses as a DTLS client towards a coaps:// server: its own credentials
// from the Security instance (/0/x) for that URI (facts §3.10, Object 0): mode /0/x/2 (0 PSK,
// 1 RPK, 2 certificate, 3 NoSec), /0/x/3 identity / own public key / own certificate, /0/x/4 the
// server's public key or certificate (or trust anchor), /0/x/5 the PSK or own private key, and the
// 1.1+ resources that steer the handshake: 13 Matching Type, 14 SNI, 15 Certificate Usage,
// 16 cipher suites, 24 bit 12 "use Connection ID". Pure: it reads the tree, the DTLS client acts.
import type { ObjectTree } from './object-tree'
import { isMultiple } from './object-tree'

export interface ClientDtlsCommon {
  /** /0/x instance it came from. */
  readonly securityInstance: number
  /** /0/x/16: IANA suite numbers to offer, in order; empty = the client's default list. */
  readonly suites: readonly number[]
  /** /0/x/24 bit 12 (TLS extensions to use: Connection ID). */
  readonly useCid: boolean
}

export type ClientDtlsCredentials =
  | (ClientDtlsCommon & { readonly mode: 'psk'; readonly identity: Uint8Array; readonly key: Uint8Array })
  | (ClientDtlsCommon & {
      readonly mode: 'rpk'
      /** Own SubjectPublicKeyInfo (/0/x/3) and private key (/0/x/5, RFC 5958 DER). */
      readonly publicKey: Uint8Array
      readonly privateKey: Uint8Array
      /** The server's SubjectPublicKeyInfo (/0/x/4); the handshake fails unless the server presents it. */
      readonly serverPublicKey: Uint8Array
    })
  | (ClientDtlsCommon & {
      readonly mode: 'x509'
      /** Own certificate (/0/x/3: DER, or PEM with its chain since 1.2.1 — given as stored). */
      readonly certificate: Uint8Array
      readonly privateKey: Uint8Array
      /** /0/x/4: the server certificate, or the trust anchor, as Certificate Usage says. */
      readonly serverCertificate: Uint8Array
      /** /0/x/15 (RFC 6698 usage): 0 CA constraint, 1 service certificate constraint, 2 trust anchor assertion, 3 domain-issued (default). */
      readonly certificateUsage: 0 | 1 | 2 | 3
      /** /0/x/13: how /0/x/4 is compared: 0 exact (default), 1 SHA-256, 2 SHA-384, 3 SHA-512. */
      readonly matchingType: 0 | 1 | 2 | 3
      /**
       * The name the server certificate must carry (RFC 7925 §4.4.1): /0/x/14 SNI when set, else the
       * URI's host when it is a DNS name; null for an IP literal without SNI (then only the /0/x/4
       * match identifies the server). Also what goes into the SNI extension.
       */
      readonly referenceIdentity: string | null
    })

export type ClientDtlsLookup = { readonly ok: true; readonly credentials: ClientDtlsCredentials | null } | { readonly ok: false; readonly problem: string }

/**
 * The credentials for `uri`: null credentials for coap:// with NoSec; a problem in words when the
 * account cannot work (no /0 instance for the URI, coaps:// with NoSec, a mode without its keys).
 */
export function clientDtlsCredentials(tree: ObjectTree, uri: string): ClientDtlsLookup {
  const instance = tree.instanceIds(0).find((i) => {
    const v = tree.value(0, i, 0)
    return v?.type === 'string' && v.value === uri
  })
  if (instance === undefined) return { ok: false, problem: `no Security instance (/0/x/0) holds ${uri}` }
  const at = (r: number) => `/0/${instance}/${r}`
  const secure = /^coaps(\+tcp)?:\/\//i.test(uri)
  const mode = num(tree, instance, 2)
  if (mode === 3 || mode === null) return secure ? { ok: false, problem: `${uri} is coaps://, but ${at(2)} is ${mode === null ? 'missing' : 'NoSec (3)'}` } : { ok: true, credentials: null }
  if (!secure) return { ok: false, problem: `${at(2)} asks for security mode ${mode}, but ${uri} is plain coap://` }
  const bytes = (r: number) => {
    const v = tree.value(0, instance, r)
    return v?.type === 'opaque' ? v.value : v?.type === 'string' ? new TextEncoder().encode(v.value) : new Uint8Array()
  }
  const needed = (r: number, what: string): string | null => (bytes(r).length === 0 ? `${at(r)} (${what}) is empty` : null)
  const common: ClientDtlsCommon = {
    securityInstance: instance,
    suites: multiple(tree, instance, 16),
    useCid: ((num(tree, instance, 24) ?? 0) & (1 << 12)) !== 0
  }
  if (mode === 0) {
    const p = needed(3, 'PSK identity') ?? needed(5, 'PSK key')
    return p ? { ok: false, problem: p } : { ok: true, credentials: { ...common, mode: 'psk', identity: bytes(3), key: bytes(5) } }
  }
  if (mode === 1) {
    const p = needed(3, 'own public key') ?? needed(5, 'own private key') ?? needed(4, "server's public key")
    return p ? { ok: false, problem: p } : { ok: true, credentials: { ...common, mode: 'rpk', publicKey: bytes(3), privateKey: bytes(5), serverPublicKey: bytes(4) } }
  }
  if (mode === 2) {
    const p = needed(3, 'own certificate') ?? needed(5, 'own private key') ?? needed(4, 'server certificate or trust anchor')
    if (p) return { ok: false, problem: p }
    const usage = num(tree, instance, 15) ?? 3
    const matching = num(tree, instance, 13) ?? 0
    if (usage < 0 || usage > 3) return { ok: false, problem: `${at(15)} Certificate Usage ${usage} is not 0..3` }
    if (matching < 0 || matching > 3) return { ok: false, problem: `${at(13)} Matching Type ${matching} is not 0..3` }
    const sni = tree.value(0, instance, 14)
    return {
      ok: true,
      credentials: {
        ...common,
        mode: 'x509',
        certificate: bytes(3),
        privateKey: bytes(5),
        serverCertificate: bytes(4),
        certificateUsage: usage as 0 | 1 | 2 | 3,
        matchingType: matching as 0 | 1 | 2 | 3,
        referenceIdentity: sni?.type === 'string' && sni.value !== '' ? sni.value : dnsHost(uri)
      }
    }
  }
  return { ok: false, problem: `${at(2)} security mode ${mode} (${mode === 4 ? 'certificate with EST' : 'unknown'}) is not supported by the simulator` }
}

function num(tree: ObjectTree, i: number, r: number): number | null {
  const v = tree.value(0, i, r)
  return v && (v.type === 'integer' || v.type === 'unsigned') ? Number(v.value) : null
}

function multiple(tree: ObjectTree, i: number, r: number): number[] {
  const s = tree.get([0, i, r])
  if (s === undefined || !isMultiple(s)) return []
  return [...s.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, v]) => (v.type === 'integer' || v.type === 'unsigned' ? Number(v.value) : -1))
    .filter((n) => n >= 0 && n <= 0xffff)
}

/** The URI's host when it is a DNS name (not an IP literal). */
function dnsHost(uri: string): string | null {
  const m = /^[a-z+]+:\/\/(\[[^\]]*\]|[^:/?#]+)/i.exec(uri)
  const host = m?.[1]
  if (!host || host.startsWith('[') || /^[0-9.]+$/.test(host)) return null
  return host.toLowerCase()
}

/**
 * Does the certificate or key the server presented match /0/x/4 under Matching Type /0/x/13?
 * `digest` hashes with the named SHA-2 (through the Crypto port, outside core).
 */
export function matchesServerKey(presented: Uint8Array, configured: Uint8Array, matchingType: 0 | 1 | 2 | 3, digest: (alg: 'sha256' | 'sha384' | 'sha512', data: Uint8Array) => Uint8Array): boolean {
  const value = matchingType === 0 ? presented : digest(matchingType === 1 ? 'sha256' : matchingType === 2 ? 'sha384' : 'sha512', presented)
  if (value.length !== configured.length) return false
  let diff = 0
  for (let i = 0; i < value.length; i++) diff |= (value[i] as number) ^ (configured[i] as number)
  return diff === 0
}
