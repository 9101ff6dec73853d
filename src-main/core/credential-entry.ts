// SPDX-License-Identifier: Apache-2.0
// Credential entry beyond the PSK basics of psk-entry.ts: the mix-ups people make when they paste
// keys and certificates (Leshan users' questions #407, #561, #1556 are all one of these), caught
// before anything is stored and named in plain words. Also the key and certificate containers of
// T §5 (facts §3.10): RPK = SubjectPublicKeyInfo (DER), X.509 = DER certificates (PEM accepted).
// Pure: a small DER reader tells the containers apart; parsing a certificate's contents (names,
// signatures) is left to node:crypto outside core.
import { parseBase64, parseHex, pskKey, type EntryResult, type KeyEncoding } from './psk-entry'

/** What a blob of DER (or PEM) is, by its outer structure. */
export type DerKind = 'certificate' | 'spki' | 'pkcs8-private-key' | 'sec1-private-key' | 'raw-ec-point' | 'unknown'

export const DER_KIND_WORDS: Readonly<Record<DerKind, string>> = {
  certificate: 'an X.509 certificate',
  spki: 'a public key (SubjectPublicKeyInfo)',
  'pkcs8-private-key': 'a private key (PKCS #8)',
  'sec1-private-key': 'an EC private key (SEC 1)',
  'raw-ec-point': 'a bare EC point (no SubjectPublicKeyInfo around it)',
  unknown: 'nothing we recognise'
}

export interface PemBlock {
  readonly label: string
  readonly der: Uint8Array
}

/** Every PEM block in the text (RFC 7468), in order; blocks whose base64 is broken are skipped. */
export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = []
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const body = (m[2] as string).replace(/\s+/g, '')
    const r = parseBase64(body, 'PEM')
    if (r.ok) out.push({ label: m[1] as string, der: r.bytes })
  }
  return out
}

export function looksLikePem(text: string): boolean {
  return /-----BEGIN [A-Z0-9 ]+-----/.test(text)
}

/** One DER element: tag, where its content starts and ends. Null when the bytes do not hold one. */
interface Tlv {
  readonly tag: number
  readonly start: number
  readonly end: number
}

function readTlv(b: Uint8Array, at: number, limit = b.length): Tlv | null {
  if (at + 2 > limit) return null
  const tag = b[at] as number
  let len = b[at + 1] as number
  let start = at + 2
  if (len & 0x80) {
    const n = len & 0x7f
    if (n === 0 || n > 4 || start + n > limit) return null
    len = 0
    for (let i = 0; i < n; i++) len = len * 256 + (b[start + i] as number)
    start += n
  }
  const end = start + len
  return end <= limit ? { tag, start, end } : null
}

/** The children of a constructed element (null when they do not tile it exactly). */
function children(b: Uint8Array, t: Tlv): Tlv[] | null {
  const out: Tlv[] = []
  for (let at = t.start; at < t.end; ) {
    const c = readTlv(b, at, t.end)
    if (!c) return null
    out.push(c)
    at = c.end
  }
  return out
}

const SEQ = 0x30
const INT = 0x02
const OCTETS = 0x04
const BITS = 0x03

/** Tells a certificate, a public key and the private key forms apart by their outer shape. */
export function derKind(b: Uint8Array): DerKind {
  if ((b.length === 65 && b[0] === 0x04) || (b.length === 33 && (b[0] === 0x02 || b[0] === 0x03))) return 'raw-ec-point'
  const top = readTlv(b, 0)
  if (!top || top.tag !== SEQ || top.end !== b.length) return 'unknown'
  const kids = children(b, top)
  if (!kids || kids.length < 2) return 'unknown'
  const [a, c, d] = kids as [Tlv, Tlv, Tlv | undefined]
  // Certificate ::= SEQUENCE { tbsCertificate SEQUENCE, signatureAlgorithm SEQUENCE, signature BIT STRING }
  if (kids.length === 3 && a.tag === SEQ && c.tag === SEQ && d?.tag === BITS) return 'certificate'
  // SubjectPublicKeyInfo ::= SEQUENCE { algorithm SEQUENCE, subjectPublicKey BIT STRING }
  if (kids.length === 2 && a.tag === SEQ && c.tag === BITS) return 'spki'
  // OneAsymmetricKey (RFC 5958) ::= SEQUENCE { version INTEGER, algorithm SEQUENCE, privateKey OCTET STRING, … }
  if (a.tag === INT && c.tag === SEQ && d?.tag === OCTETS) return 'pkcs8-private-key'
  // ECPrivateKey (RFC 5915) ::= SEQUENCE { version INTEGER (1), privateKey OCTET STRING, … }
  if (a.tag === INT && c.tag === OCTETS && a.end - a.start === 1 && b[a.start] === 1) return 'sec1-private-key'
  return 'unknown'
}

// id-ecPublicKey with prime256v1: the fixed SubjectPublicKeyInfo header of an uncompressed P-256 point.
const P256_SPKI_HEADER = new Uint8Array([
  0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00
])

function wrapP256Point(point: Uint8Array): Uint8Array {
  const out = new Uint8Array(P256_SPKI_HEADER.length + point.length)
  out.set(P256_SPKI_HEADER)
  out.set(point, P256_SPKI_HEADER.length)
  return out
}

export type BinaryEncoding = KeyEncoding | 'pem'

/**
 * Binary input as typed: PEM (any label), hex or base64. A PEM block is always recognised, so a
 * PEM pasted into a hex field is read rather than refused: its label says what it is.
 */
function binaryInput(value: string, encoding: KeyEncoding, what: string): EntryResult & { pemLabel?: string } {
  const v = value.trim()
  if (looksLikePem(v)) {
    const blocks = pemBlocks(v)
    const first = blocks[0]
    if (!first) return { ok: false, problem: `${what} starts like PEM but its base64 body is broken` }
    return { ok: true, bytes: first.der, warning: blocks.length > 1 ? `only the first of ${blocks.length} PEM blocks is used for ${what}` : null, pemLabel: first.label }
  }
  const hexish = v.replace(/^0x/i, '').replace(/[\s:]/g, '')
  if (encoding === 'hex') {
    const r = parseHex(hexish, what)
    if (!r.ok && /^[A-Za-z0-9+/=_-]+$/.test(v) && parseBase64(v, what).ok && v.length >= 16) return { ok: false, problem: `${r.problem}; it looks like base64 — choose base64` }
    return r
  }
  return parseBase64(v.replace(/\s+/g, ''), what)
}

/**
 * The PSK key with the mix-ups named: a PEM block or a certificate pasted as a key, a text
 * password pasted into a hex field, an odd number of digits. Builds on psk-entry's rules.
 */
export function pskKeyEntry(value: string, encoding: KeyEncoding): EntryResult {
  const v = value.trim()
  if (looksLikePem(v)) {
    const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(v)?.[1] ?? 'PEM'
    return { ok: false, problem: `this is a PEM block (${label}), not a PSK key: a PSK key is a shared secret of 16–64 bytes, typed as hex or base64` }
  }
  if (encoding === 'hex' && v.length > 0 && /[^0-9a-fA-F]/.test(v)) {
    if (/^[0-9a-fA-F\s:]+$/.test(v) || /^0x[0-9a-fA-F]+$/i.test(v))
      return { ok: false, problem: 'the PSK key holds spaces, colons or a 0x prefix: type the hex digits alone, e.g. 00112233…' }
    if (/^[A-Za-z0-9+/]+={0,2}$/.test(v) && v.length % 4 === 0 && v.length >= 20)
      return { ok: false, problem: 'the PSK key looks like base64, not hex: choose base64 as its encoding' }
    // Never echo the key: the message may be shown or logged where the key must not be.
    if (/^[\x20-\x7e]+$/.test(v))
      return {
        ok: false,
        problem: `the PSK key looks like text (a password?), not hex: hex holds only 0-9 and a-f. If the device's key is that text, type its bytes as hex (the text "abc" is 616263; ${v.length} characters make ${v.length} bytes)`
      }
    return { ok: false, problem: 'the PSK key holds characters that are not hex digits (only 0-9 and a-f)' }
  }
  if (encoding === 'base64' && !/^[A-Za-z0-9+/_-]*={0,2}$/.test(v.replace(/\s+/g, '')))
    return { ok: false, problem: 'the PSK key holds characters that are not base64 (A-Z, a-z, 0-9, +, / and = padding)' }
  if (encoding === 'hex' && v.length % 2 === 1 && /^[0-9a-fA-F]+$/.test(v))
    return { ok: false, problem: `the PSK key has an odd number of hex digits (${v.length}): one is missing or extra — each byte takes two` }
  // DER of a key or certificate typed as hex or base64 is named before the length rule would speak.
  const raw = encoding === 'base64' ? parseBase64(v.replace(/\s+/g, ''), 'the PSK key') : parseHex(v, 'the PSK key')
  const kind = raw.ok ? derKind(raw.bytes) : 'unknown'
  if (kind !== 'unknown' && kind !== 'raw-ec-point') return { ok: false, problem: `this ${encoding} holds ${DER_KIND_WORDS[kind]}, not a PSK key` }
  const r = pskKey(encoding === 'base64' ? v.replace(/\s+/g, '') : v, encoding)
  // 32 hex digits are also valid base64 (psk-entry never guesses): say so when it could be either.
  if (r.ok && encoding === 'base64' && /^[0-9a-fA-F]+$/.test(v) && v.length % 2 === 0 && v.length >= 16 && !r.warning)
    return { ...r, warning: `these are also hex digits: as hex the key would be ${v.length / 2} bytes, as base64 it is ${r.bytes.length} — check the encoding` }
  return r
}

/** A device's raw public key (RPK, RFC 7250): SubjectPublicKeyInfo DER, from PEM, hex or base64. */
export function rpkEntry(value: string, encoding: KeyEncoding): EntryResult {
  if (value.trim() === '') return { ok: false, problem: 'the public key is empty' }
  const r = binaryInput(value, encoding, 'the public key')
  if (!r.ok) return r
  const kind = derKind(r.bytes)
  switch (kind) {
    case 'spki':
      return r.pemLabel ? { ok: true, bytes: r.bytes, warning: r.warning } : r
    case 'raw-ec-point':
      if (r.bytes.length === 65) return { ok: true, bytes: wrapP256Point(r.bytes), warning: 'a bare P-256 point was given; it was put into a SubjectPublicKeyInfo (secp256r1)' }
      return { ok: false, problem: 'this is a compressed EC point; give the public key as SubjectPublicKeyInfo (PEM "PUBLIC KEY" or its DER)' }
    case 'certificate':
      return { ok: false, problem: 'this is a certificate, not a raw public key: for RPK give the device\'s public key (openssl x509 -pubkey -noout), or choose mode x509' }
    case 'pkcs8-private-key':
    case 'sec1-private-key':
      return { ok: false, problem: `this is ${DER_KIND_WORDS[kind]}, and a public key belongs here. The private key stays on the device; give its public key (openssl pkey -pubout)` }
    default:
      return { ok: false, problem: 'this is not a SubjectPublicKeyInfo (DER); give the public key as PEM ("-----BEGIN PUBLIC KEY-----") or its DER in hex or base64' }
  }
}

/** Certificates (DER each), from PEM (one or several blocks), or one DER in hex or base64. */
export function certificatesEntry(value: string, encoding: KeyEncoding, what: string): { ok: true; certs: Uint8Array[] } | { ok: false; problem: string } {
  const v = value.trim()
  if (v === '') return { ok: false, problem: `${what} is empty` }
  let ders: { der: Uint8Array; label: string | null }[]
  if (looksLikePem(v)) {
    const blocks = pemBlocks(v)
    if (blocks.length === 0) return { ok: false, problem: `${what} starts like PEM but its base64 body is broken` }
    ders = blocks.map((b) => ({ der: b.der, label: b.label }))
  } else {
    const r = binaryInput(v, encoding, what)
    if (!r.ok) return r
    ders = [{ der: r.bytes, label: null }]
  }
  const certs: Uint8Array[] = []
  for (const [i, d] of ders.entries()) {
    const kind = derKind(d.der)
    const n = ders.length > 1 ? ` (block ${i + 1})` : ''
    if (kind === 'certificate') certs.push(d.der)
    else if (kind === 'pkcs8-private-key' || kind === 'sec1-private-key')
      return { ok: false, problem: `${what}${n} is ${DER_KIND_WORDS[kind]}, not a certificate. Never paste private keys here; give the certificate (BEGIN CERTIFICATE)` }
    else return { ok: false, problem: `${what}${n} is ${DER_KIND_WORDS[kind]}, not a certificate` }
  }
  return { ok: true, certs }
}

/** Hex of the identity bytes when they are not printable ASCII ("0x…"), else the text: for records and lists. */
export function identityText(identity: Uint8Array): string {
  const printable = identity.length > 0 && identity.every((c) => c >= 0x20 && c < 0x7f)
  if (printable) return String.fromCharCode(...identity)
  return '0x' + [...identity].map((x) => x.toString(16).padStart(2, '0')).join('')
}

/** "•••• (16 bytes, hidden)": how a secret is shown anywhere outside the sealed store. */
export function maskedSecret(n: number): string {
  return n === 0 ? '(empty)' : `•••• (${n} ${n === 1 ? 'byte' : 'bytes'}, hidden)`
}
