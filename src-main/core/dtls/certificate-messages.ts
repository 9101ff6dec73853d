// SPDX-License-Identifier: Apache-2.0
// The handshake messages of the ECDHE_ECDSA suites (RFC 8422 §5, RFC 5246 §7.4) and of raw public
// keys (RFC 7250 §3): Certificate (an X.509 chain or one SubjectPublicKeyInfo), the signed ECDHE
// ServerKeyExchange, CertificateRequest, CertificateVerify and the ECDHE ClientKeyExchange.
// Decoders never throw: they return the message or undefined with the violations.
import { ViolationList } from '../violation'
import { CertificateType } from './extensions'
import { CURVE_TYPE_NAMED, type Decoded } from './handshake-messages'
import { readUintList, WireReader, WireWriter } from './wire-reader'

/** SignatureAndHashAlgorithm ecdsa_secp256r1_sha256 (RFC 8422 §5.1.3, RFC 5246 §7.4.1.4.1). */
export const ECDSA_SHA256 = 0x0403
/** ClientCertificateType ecdsa_sign (RFC 8422 §5.5). */
export const ECDSA_SIGN = 64

export type CertificateKind = 'x509' | 'rpk'

export interface CertificateMessage {
  readonly kind: CertificateKind
  /** X.509: the chain, leaf first (DER); RPK: one SubjectPublicKeyInfo (DER). May be empty (no certificate). */
  readonly entries: readonly Uint8Array[]
}

export interface EcdheServerKeyExchange {
  readonly namedCurve: number
  readonly publicPoint: Uint8Array
  /** The bytes the signature covers after the randoms: curve_type ‖ named_curve ‖ point. */
  readonly params: Uint8Array
  readonly algorithm: number
  readonly signature: Uint8Array
}

export interface CertificateRequest {
  readonly certificateTypes: readonly number[]
  readonly signatureAlgorithms: readonly number[]
}

export interface CertificateVerify {
  readonly algorithm: number
  readonly signature: Uint8Array
}

const S_CERT = 'RFC 5246 §7.4.2'
const S_RPK = 'RFC 7250 §3'
const S_SKE = 'RFC 8422 §5.4'

function failed<T>(v: ViolationList): Decoded<T> {
  return { message: undefined, violations: v.items }
}

export function decodeCertificate(body: Uint8Array, kind: CertificateKind): Decoded<CertificateMessage> {
  const v = new ViolationList()
  const r = new WireReader(body, v, 0, 'Certificate', kind === 'rpk' ? S_RPK : S_CERT)
  if (kind === 'rpk') {
    const spki = r.vector('ASN.1_subjectPublicKeyInfo', 3)
    if (spki === undefined) return failed(v)
    r.end()
    return { message: { kind, entries: spki.length ? [spki] : [] }, violations: v.items }
  }
  const list = r.vector('certificate_list', 3)
  if (list === undefined) return failed(v)
  r.end()
  const entries: Uint8Array[] = []
  const lr = new WireReader(list, v, 3, 'certificate_list', S_CERT)
  while (lr.remaining > 0) {
    const cert = lr.vector('ASN.1Cert', 3)
    if (cert === undefined) return failed(v)
    entries.push(cert)
  }
  return { message: { kind, entries }, violations: v.items }
}

export function encodeCertificate(m: CertificateMessage): Uint8Array {
  if (m.kind === 'rpk') return new WireWriter().vector(m.entries[0] ?? new Uint8Array(0), 3, 'ASN.1_subjectPublicKeyInfo').finish()
  const inner = new WireWriter()
  for (const c of m.entries) inner.vector(c, 3, 'ASN.1Cert', 1)
  return new WireWriter().vector(inner.finish(), 3, 'certificate_list').finish()
}

/** The ServerECDHParams as signed and sent: curve_type ‖ named_curve ‖ ECPoint. */
export function ecdheParams(namedCurve: number, publicPoint: Uint8Array): Uint8Array {
  return new WireWriter().uint(CURVE_TYPE_NAMED, 1, 'curve_type').uint(namedCurve, 2, 'namedcurve').vector(publicPoint, 1, 'ECPoint', 1).finish()
}

export function decodeEcdheServerKeyExchange(body: Uint8Array): Decoded<EcdheServerKeyExchange> {
  const v = new ViolationList()
  const r = new WireReader(body, v, 0, 'ServerKeyExchange (ECDHE_ECDSA)', S_SKE)
  const curveType = r.uint('curve_type', 1)
  if (curveType === undefined) return failed(v)
  if (curveType !== CURVE_TYPE_NAMED) {
    v.add(0, 'dtls.ske-curve-type', S_SKE, `curve_type ${curveType} is not named_curve (3), the only type allowed.`)
    return failed(v)
  }
  const namedCurve = r.uint('namedcurve', 2)
  const publicPoint = r.vector('ECPoint', 1)
  const paramsEnd = r.at
  const algorithm = r.uint('SignatureAndHashAlgorithm', 2)
  const signature = r.vector('signature', 2)
  if (namedCurve === undefined || publicPoint === undefined || algorithm === undefined || signature === undefined) return failed(v)
  r.end()
  return { message: { namedCurve, publicPoint, params: body.subarray(0, paramsEnd), algorithm, signature }, violations: v.items }
}

export function encodeEcdheServerKeyExchange(params: Uint8Array, algorithm: number, signature: Uint8Array): Uint8Array {
  return new WireWriter().bytes(params).uint(algorithm, 2, 'SignatureAndHashAlgorithm').vector(signature, 2, 'signature').finish()
}

export function decodeCertificateRequest(body: Uint8Array): Decoded<CertificateRequest> {
  const v = new ViolationList()
  const r = new WireReader(body, v, 0, 'CertificateRequest', 'RFC 5246 §7.4.4')
  const types = r.vector('certificate_types', 1)
  const algs = r.vector('supported_signature_algorithms', 2)
  const cas = r.vector('certificate_authorities', 2)
  if (types === undefined || algs === undefined || cas === undefined) return failed(v)
  r.end()
  return { message: { certificateTypes: readUintList(types, 1), signatureAlgorithms: readUintList(algs, 2) }, violations: v.items }
}

export function encodeCertificateRequest(m: CertificateRequest): Uint8Array {
  return new WireWriter()
    .uintList(m.certificateTypes, 1, 1, 'certificate_types', 1)
    .uintList(m.signatureAlgorithms, 2, 2, 'supported_signature_algorithms', 1)
    .vector(new Uint8Array(0), 2, 'certificate_authorities')
    .finish()
}

export function decodeCertificateVerify(body: Uint8Array): Decoded<CertificateVerify> {
  const v = new ViolationList()
  const r = new WireReader(body, v, 0, 'CertificateVerify', 'RFC 5246 §7.4.8')
  const algorithm = r.uint('SignatureAndHashAlgorithm', 2)
  const signature = r.vector('signature', 2)
  if (algorithm === undefined || signature === undefined) return failed(v)
  r.end()
  return { message: { algorithm, signature }, violations: v.items }
}

export function encodeCertificateVerify(m: CertificateVerify): Uint8Array {
  return new WireWriter().uint(m.algorithm, 2, 'SignatureAndHashAlgorithm').vector(m.signature, 2, 'signature').finish()
}

/** ClientKeyExchange of an ECDHE_ECDSA suite: the client's ephemeral point (RFC 8422 §5.7). */
export function decodeEcdheClientKeyExchange(body: Uint8Array): Decoded<{ readonly publicPoint: Uint8Array }> {
  const v = new ViolationList()
  const r = new WireReader(body, v, 0, 'ClientKeyExchange (ECDHE)', 'RFC 8422 §5.7')
  const publicPoint = r.vector('ECPoint', 1)
  if (publicPoint === undefined) return failed(v)
  r.end()
  return { message: { publicPoint }, violations: v.items }
}

export function encodeEcdheClientKeyExchange(publicPoint: Uint8Array): Uint8Array {
  return new WireWriter().vector(publicPoint, 1, 'ECPoint', 1).finish()
}

/** The certificate type code point of a kind (RFC 7250 §3). */
export function certificateTypeCode(kind: CertificateKind): number {
  return kind === 'rpk' ? CertificateType.rawPublicKey : CertificateType.x509
}
