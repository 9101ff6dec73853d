// SPDX-License-Identifier: Apache-2.0
// DTLS 1.2 record protection, one direction, one epoch (dtls-facts §4.2, §4.3, §5.3):
//
// AEAD (AES-128-CCM_8, AES-128-CCM, AES-128-GCM; RFC 5246 §6.2.3.3, RFC 6655 §3, RFC 5288 §3):
//   fragment = nonce_explicit(8) ‖ ciphertext ‖ tag;  nonce = write_IV(4) ‖ nonce_explicit
//   AAD = epoch ‖ seq ‖ type ‖ version ‖ uint16(plaintext length)   (RFC 6347 §4.1.2.1)
//   We send epoch ‖ seq as nonce_explicit; on receipt it is always read from the record, since
//   peers may put something else there (OpenSSL 3.0 does for GCM; dtls-facts §4.2).
// CBC + HMAC-SHA256 (the *_CBC_SHA256 suites):
//   MAC-then-encrypt (RFC 5246 §6.2.3.2): fragment = IV(16) ‖ AES-CBC(content ‖ MAC ‖ padding),
//     MAC = HMAC(mac_key, epoch ‖ seq ‖ type ‖ version ‖ uint16(len) ‖ content).
//   Encrypt-then-MAC when negotiated (RFC 7366 §3): fragment = IV ‖ AES-CBC(content ‖ padding) ‖ MAC,
//     MAC over epoch ‖ seq ‖ type ‖ version ‖ uint16(len(IV ‖ ciphertext)) ‖ IV ‖ ciphertext.
// Connection ID records (RFC 9146 §4, §5): the content becomes DTLSInnerPlaintext = content ‖
//   real_type ‖ zero padding, the outer type is 25, and the MAC/AAD input starts with
//   P = seq_num_placeholder(FF×8) ‖ 25 ‖ cid_length ‖ 25 ‖ version ‖ epoch ‖ seq ‖ cid.
//
// Opening never throws on record bytes: a failed tag, MAC or CBC padding is 'integrity' (RFC 6347
// §4.1.2.7: discard silently, keep the association), a fragment too short for its suite is
// 'malformed', a plaintext over 2^14 is 'overflow' (record_overflow, RFC 5246 §6.2.1). The CBC
// padding check touches the same bytes whatever the padding says and a bad padding still costs
// a MAC, without early exit (RFC 5246 §6.2.3.2); the HMAC length still varies with the padding
// (the Lucky 13 residue), which EtM removes. Which records a CID association accepts (only type
// 25, wolfSSL/wolfssl#11177) is the caller's policy: a record with a `cid` is opened as one.
import { concatBytes } from '../bytes'
import type { Crypto } from '../crypto'
import { ccmOpen, ccmSealInto } from './aes-ccm'
import type { CipherSuite } from './cipher-suites'
import { constantTimeEqual } from './constant-time'
import type { WriteKeys } from './key-schedule'
import { ContentType, writeSeqNum, type DtlsRecord } from './record'

/** Largest plaintext in a record (RFC 5246 §6.2.1). */
export const MAX_PLAINTEXT = 2 ** 14

/** What a record is, before protection: its real content type and where it sits. */
export interface RecordHeader {
  readonly type: number
  readonly version: number
  readonly epoch: number
  readonly sequence: number
  /** The peer's CID when this direction uses one (non-empty): the record goes out as tls12_cid. */
  readonly cid?: Uint8Array
}

export type OpenResult =
  | { readonly ok: true; readonly type: number; readonly plaintext: Uint8Array }
  | { readonly ok: false; readonly failure: 'integrity' | 'malformed' | 'overflow'; readonly message: string }

export interface RecordProtection {
  readonly suite: CipherSuite
  /**
   * The protected record for `plaintext`. With a CID, `padding` zero bytes are added inside
   * (RFC 9146 §4, to hide the length); ignored otherwise. Throws RangeError for a plaintext over
   * 2^14 bytes or a CID of more than 255.
   */
  seal(header: RecordHeader, plaintext: Uint8Array, padding?: number): DtlsRecord
  /** Removes the protection of a received record (its header fields enter the AAD/MAC). */
  open(record: DtlsRecord): OpenResult
}

export interface ProtectionOptions {
  /** CBC suites only: RFC 7366 Encrypt-then-MAC was negotiated. */
  readonly encryptThenMac?: boolean
}

const EXPLICIT_NONCE = 8
const CBC_BLOCK = 16
const MAC_LENGTH = 32

/** epoch(2) ‖ sequence_number(6): the 64-bit seq_num of RFC 6347 §4.1.2.1. */
function seqNum(epoch: number, sequence: number): Uint8Array {
  const b = new Uint8Array(8)
  writeSeqNum(b, 0, epoch, sequence)
  return b
}

/**
 * The MAC/AAD input without the content: seq_num ‖ type ‖ version for a plain record (RFC 5246
 * §6.2.3.1), P of RFC 9146 §5 for a CID record; then uint16(length). One allocation.
 */
function macHeader(outerType: number, version: number, epoch: number, sequence: number, cid: Uint8Array | undefined, length: number): Uint8Array {
  const plain = cid === undefined
  const b = new Uint8Array(plain ? 13 : 23 + cid.length)
  let at = 0
  if (!plain) {
    b.fill(0xff, 0, 8)
    b[8] = ContentType.tls12Cid
    b[9] = cid.length
    b[10] = ContentType.tls12Cid
    b[11] = version >> 8
    b[12] = version & 0xff
    at = 13
  }
  writeSeqNum(b, at, epoch, sequence)
  at += 8
  if (plain) {
    b[at] = outerType
    b[at + 1] = version >> 8
    b[at + 2] = version & 0xff
    at += 3
  } else {
    b.set(cid, at)
    at += cid.length
  }
  b[at] = length >> 8
  b[at + 1] = length & 0xff
  return b
}

/** DTLSInnerPlaintext = content ‖ real_type ‖ zeros (RFC 9146 §4). */
function innerPlaintext(content: Uint8Array, type: number, padding: number): Uint8Array {
  const b = new Uint8Array(content.length + 1 + padding)
  b.set(content)
  b[content.length] = type
  return b
}

/** Splits DTLSInnerPlaintext: the last non-zero byte is the real type (RFC 9146 §4). */
function splitInner(inner: Uint8Array): OpenResult {
  let i = inner.length - 1
  while (i >= 0 && inner[i] === 0) i--
  if (i < 0) return { ok: false, failure: 'malformed', message: 'The inner plaintext of a CID record has no content type (all zero bytes; RFC 9146 §4).' }
  const plaintext = inner.subarray(0, i)
  if (plaintext.length > MAX_PLAINTEXT) return overflow(plaintext.length)
  return { ok: true, type: inner[i] as number, plaintext }
}

function overflow(n: number): OpenResult {
  return { ok: false, failure: 'overflow', message: `The record's plaintext is ${n} bytes; at most ${MAX_PLAINTEXT} are allowed (record_overflow, RFC 5246 §6.2.1).` }
}

const INTEGRITY: OpenResult = { ok: false, failure: 'integrity', message: 'The record did not authenticate (wrong key, or bytes changed on the way); it is discarded (RFC 6347 §4.1.2.7).' }

function checkSeal(header: RecordHeader, plaintext: Uint8Array, padding: number): void {
  if (plaintext.length > MAX_PLAINTEXT) throw new RangeError(`plaintext of ${plaintext.length} bytes (at most 2^14, RFC 5246 §6.2.1)`)
  if (header.cid !== undefined && (header.cid.length === 0 || header.cid.length > 255)) throw new RangeError(`CID of ${header.cid.length} bytes (1-255)`)
  if (!Number.isInteger(padding) || padding < 0) throw new RangeError(`padding ${padding}`)
}

/** Content and outer type as they go under the protection (RFC 9146 §4 for CID records). */
function toProtect(header: RecordHeader, plaintext: Uint8Array, padding: number): { outerType: number; content: Uint8Array } {
  return header.cid === undefined
    ? { outerType: header.type, content: plaintext }
    : { outerType: ContentType.tls12Cid, content: innerPlaintext(plaintext, header.type, padding) }
}

/** Record protection for one direction with `keys` (client or server write keys of one epoch). */
export function createRecordProtection(crypto: Crypto, suite: CipherSuite, keys: WriteKeys, options: ProtectionOptions = {}): RecordProtection {
  if (keys.key.length !== suite.encKeyLength || keys.iv.length !== suite.fixedIvLength || keys.macKey.length !== suite.macKeyLength) {
    throw new RangeError(`keys do not fit ${suite.name} (RFC 5246 §6.3)`)
  }
  switch (suite.cipher) {
    case 'aes-128-ccm-8':
    case 'aes-128-ccm': {
      const aes = crypto.aesEncryptor(keys.key)
      const tag = suite.tagLength as 8 | 16
      return aeadProtection(suite, keys.iv, tag,
        (nonce, aad, pt, out, at) => ccmSealInto(aes, nonce, aad, pt, tag, out, at),
        (nonce, aad, sealed) => ccmOpen(aes, nonce, aad, sealed, tag))
    }
    case 'aes-128-gcm':
      return aeadProtection(suite, keys.iv, 16,
        (nonce, aad, pt, out, at) => out.set(crypto.aesGcmSeal(keys.key, nonce, aad, pt, 16), at),
        (nonce, aad, sealed) => crypto.aesGcmOpen(keys.key, nonce, aad, sealed, 16))
    case 'aes-128-cbc-sha256':
      return options.encryptThenMac === true ? cbcEtmProtection(crypto, suite, keys) : cbcMteProtection(crypto, suite, keys)
  }
}

/** Writes ciphertext ‖ tag into `out` at `at`. */
type Seal = (nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, out: Uint8Array, at: number) => void
type Open = (nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array) => Uint8Array | null

function aeadProtection(suite: CipherSuite, salt: Uint8Array, tagLength: number, seal: Seal, open: Open): RecordProtection {
  const nonceFor = (explicit: Uint8Array): Uint8Array => {
    const n = new Uint8Array(12)
    n.set(salt)
    n.set(explicit, 4)
    return n
  }
  return {
    suite,
    seal(header, plaintext, padding = 0) {
      checkSeal(header, plaintext, padding)
      const { outerType, content } = toProtect(header, plaintext, padding)
      const explicit = seqNum(header.epoch, header.sequence)
      const aad = macHeader(outerType, header.version, header.epoch, header.sequence, header.cid, content.length)
      const fragment = new Uint8Array(EXPLICIT_NONCE + content.length + tagLength)
      fragment.set(explicit)
      seal(nonceFor(explicit), aad, content, fragment, EXPLICIT_NONCE)
      return { type: outerType, version: header.version, epoch: header.epoch, sequence: header.sequence, ...(header.cid === undefined ? {} : { cid: header.cid }), fragment }
    },
    open(record) {
      const f = record.fragment
      if (f.length < EXPLICIT_NONCE + tagLength) {
        return { ok: false, failure: 'malformed', message: `A ${suite.name} record needs at least ${EXPLICIT_NONCE + tagLength} bytes (explicit nonce and tag); this one has ${f.length}.` }
      }
      const contentLength = f.length - EXPLICIT_NONCE - tagLength
      const aad = macHeader(record.type, record.version, record.epoch, record.sequence, record.cid, contentLength)
      const content = open(nonceFor(f.subarray(0, EXPLICIT_NONCE)), aad, f.subarray(EXPLICIT_NONCE))
      if (content === null) return INTEGRITY
      if (record.cid !== undefined) return splitInner(content)
      if (content.length > MAX_PLAINTEXT) return overflow(content.length)
      return { ok: true, type: record.type, plaintext: content }
    }
  }
}

/** Padding bytes p (each of value p) so that `n + p + 1` is a multiple of 16 (RFC 5246 §6.2.3.2). */
function padLength(n: number): number {
  return (CBC_BLOCK - ((n + 1) % CBC_BLOCK)) % CBC_BLOCK
}

function cbcFrame(suite: CipherSuite, f: Uint8Array, minData: number): OpenResult | null {
  if (f.length < CBC_BLOCK + minData || (f.length - CBC_BLOCK) % CBC_BLOCK !== 0) {
    return { ok: false, failure: 'malformed', message: `A ${suite.name} record is an IV and whole blocks of at least ${minData} bytes; this one has ${f.length} bytes.` }
  }
  return null
}

function cbcMteProtection(crypto: Crypto, suite: CipherSuite, keys: WriteKeys): RecordProtection {
  // Smallest data: an empty content, the MAC and one padding_length byte, in whole blocks.
  const minData = Math.ceil((MAC_LENGTH + 1) / CBC_BLOCK) * CBC_BLOCK
  return {
    suite,
    seal(header, plaintext, padding = 0) {
      checkSeal(header, plaintext, padding)
      const { outerType, content } = toProtect(header, plaintext, padding)
      const mac = crypto.hmacSha256(keys.macKey, macHeader(outerType, header.version, header.epoch, header.sequence, header.cid, content.length), content)
      const p = padLength(content.length + MAC_LENGTH)
      const data = new Uint8Array(content.length + MAC_LENGTH + p + 1)
      data.set(content)
      data.set(mac, content.length)
      data.fill(p, content.length + MAC_LENGTH)
      const iv = crypto.randomBytes(CBC_BLOCK)
      const fragment = concatBytes([iv, crypto.aesCbcEncrypt(keys.key, iv, data)])
      return { type: outerType, version: header.version, epoch: header.epoch, sequence: header.sequence, ...(header.cid === undefined ? {} : { cid: header.cid }), fragment }
    },
    open(record) {
      const f = record.fragment
      const bad = cbcFrame(suite, f, minData)
      if (bad !== null) return bad
      const data = crypto.aesCbcDecrypt(keys.key, f.subarray(0, CBC_BLOCK), f.subarray(CBC_BLOCK))
      const d = data.length
      const p = data[d - 1] as number
      // Padding check without early exit: every one of the last min(256, d) bytes is looked at;
      // `invalid` becomes 1 when the padding does not fit beside a MAC or a byte differs from p.
      let invalid = ((d - MAC_LENGTH - 1 - p) >> 31) & 1
      const span = Math.min(256, d)
      for (let i = 0; i < span; i++) {
        const inPadding = ((i - p - 1) >> 31) & 1 // 1 for i ≤ p
        invalid |= inPadding & ((((data[d - 1 - i] as number) ^ p) + 255) >> 8)
      }
      // With a bad padding, MAC as if there were none, so the failure costs a MAC as well.
      const pad = p & (invalid - 1)
      const contentLength = d - MAC_LENGTH - 1 - pad
      const content = data.subarray(0, contentLength)
      const mac = crypto.hmacSha256(keys.macKey, macHeader(record.type, record.version, record.epoch, record.sequence, record.cid, contentLength), content)
      const macOk = constantTimeEqual(mac, data.subarray(contentLength, contentLength + MAC_LENGTH))
      if (!macOk || invalid !== 0) return INTEGRITY
      if (record.cid !== undefined) return splitInner(content)
      if (content.length > MAX_PLAINTEXT) return overflow(content.length)
      return { ok: true, type: record.type, plaintext: content }
    }
  }
}

function cbcEtmProtection(crypto: Crypto, suite: CipherSuite, keys: WriteKeys): RecordProtection {
  const etmMac = (record: { type: number; version: number; epoch: number; sequence: number; cid?: Uint8Array | undefined }, ivAndCiphertext: Uint8Array): Uint8Array =>
    crypto.hmacSha256(keys.macKey, macHeader(record.type, record.version, record.epoch, record.sequence, record.cid, ivAndCiphertext.length), ivAndCiphertext)
  return {
    suite,
    seal(header, plaintext, padding = 0) {
      checkSeal(header, plaintext, padding)
      const { outerType, content } = toProtect(header, plaintext, padding)
      const p = padLength(content.length)
      const data = new Uint8Array(content.length + p + 1)
      data.set(content)
      data.fill(p, content.length)
      const iv = crypto.randomBytes(CBC_BLOCK)
      const body = concatBytes([iv, crypto.aesCbcEncrypt(keys.key, iv, data)])
      const mac = etmMac({ type: outerType, version: header.version, epoch: header.epoch, sequence: header.sequence, cid: header.cid }, body)
      return { type: outerType, version: header.version, epoch: header.epoch, sequence: header.sequence, ...(header.cid === undefined ? {} : { cid: header.cid }), fragment: concatBytes([body, mac]) }
    },
    open(record) {
      const f = record.fragment
      if (f.length < 2 * CBC_BLOCK + MAC_LENGTH || (f.length - MAC_LENGTH) % CBC_BLOCK !== 0) {
        return { ok: false, failure: 'malformed', message: `A ${suite.name} Encrypt-then-MAC record is an IV, whole blocks and a ${MAC_LENGTH}-byte MAC; this one has ${f.length} bytes.` }
      }
      const body = f.subarray(0, f.length - MAC_LENGTH)
      if (!constantTimeEqual(etmMac(record, body), f.subarray(body.length))) return INTEGRITY
      // Authenticated: the padding can be checked plainly (RFC 7366 §3).
      const data = crypto.aesCbcDecrypt(keys.key, body.subarray(0, CBC_BLOCK), body.subarray(CBC_BLOCK))
      const p = data[data.length - 1] as number
      if (p + 1 > data.length || data.subarray(data.length - 1 - p).some((b) => b !== p)) {
        return { ok: false, failure: 'malformed', message: 'The CBC padding of an authenticated record is wrong (RFC 5246 §6.2.3.2): the peer sealed it wrongly.' }
      }
      const content = data.subarray(0, data.length - 1 - p)
      if (record.cid !== undefined) return splitInner(content)
      if (content.length > MAX_PLAINTEXT) return overflow(content.length)
      return { ok: true, type: record.type, plaintext: content }
    }
  }
}
