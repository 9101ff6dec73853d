// SPDX-License-Identifier: Apache-2.0
// Bodies of the DTLS 1.2 handshake messages a PSK or ECDHE_PSK handshake uses (dtls-facts §2):
// ClientHello with cookie (RFC 6347 §4.2.1, RFC 5246 §7.4.1.2), HelloVerifyRequest (RFC 6347
// §4.2.1), ServerHello (RFC 5246 §7.4.1.3), ServerKeyExchange and ClientKeyExchange for PSK
// (RFC 4279 §2) and ECDHE_PSK (RFC 5489 §2, ECParameters/ECPoint from RFC 8422 §5.4), ServerHelloDone
// (RFC 5246 §7.4.5) and Finished (RFC 5246 §7.4.9). The 12-byte header around them is
// handshake-header.ts.
//
// Decoders are total: they return the message when every field could be read (possibly with
// violations for rules it breaks), or undefined with the violation that stopped them. Offsets are
// into the body. Encoders throw RangeError for values that cannot be written.
import { ViolationList, type Violation } from '../violation'
import { decodeExtensionList, encodeExtensionList, type DecodedExtension, type Extension } from './extensions'
import { readUintList, WireReader, WireWriter } from './wire-reader'

export const RANDOM_LENGTH = 32
export const MAX_SESSION_ID_LENGTH = 32
export const VERIFY_DATA_LENGTH = 12
/** TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.3). */
export const RENEGOTIATION_SCSV = 0x00ff
/** ECParameters.curve_type named_curve (RFC 8422 §5.4). */
export const CURVE_TYPE_NAMED = 3

const S_CH = 'RFC 6347 §4.2.1, RFC 5246 §7.4.1.2'
const S_HVR = 'RFC 6347 §4.2.1'
const S_SH = 'RFC 5246 §7.4.1.3'
const S_PSK = 'RFC 4279 §2'
const S_ECDHE_PSK = 'RFC 5489 §2'
const S_SHD = 'RFC 5246 §7.4.5'
const S_FIN = 'RFC 5246 §7.4.9'

export interface Decoded<T> {
  /** Undefined when the body is too short or malformed to give every field. */
  readonly message: T | undefined
  readonly violations: readonly Violation[]
}

export interface ClientHello {
  readonly clientVersion: number
  readonly random: Uint8Array
  readonly sessionId: Uint8Array
  readonly cookie: Uint8Array
  readonly cipherSuites: readonly number[]
  readonly compressionMethods: readonly number[]
  /** Absent when the hello ends after compression_methods (RFC 5246 §7.4.1.2 allows it). */
  readonly extensions?: readonly Extension[]
}

export interface HelloVerifyRequest {
  readonly serverVersion: number
  readonly cookie: Uint8Array
}

export interface ServerHello {
  readonly serverVersion: number
  readonly random: Uint8Array
  readonly sessionId: Uint8Array
  readonly cipherSuite: number
  readonly compressionMethod: number
  readonly extensions?: readonly Extension[]
}

/** ServerKeyExchange of a PSK suite: only the hint (RFC 4279 §2). */
export interface PskServerKeyExchange {
  readonly identityHint: Uint8Array
}

/** ServerKeyExchange of an ECDHE_PSK suite: hint, named curve, ephemeral point (RFC 5489 §2). */
export interface EcdhePskServerKeyExchange {
  readonly identityHint: Uint8Array
  readonly namedCurve: number
  readonly publicPoint: Uint8Array
}

export interface PskClientKeyExchange {
  readonly identity: Uint8Array
}

export interface EcdhePskClientKeyExchange {
  readonly identity: Uint8Array
  readonly publicPoint: Uint8Array
}

export interface Finished {
  readonly verifyData: Uint8Array
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

function result<T>(message: T | undefined, v: ViolationList): Decoded<T> {
  return { message, violations: v.items }
}

function failed(v: ViolationList): { message: undefined, violations: readonly Violation[] } {
  return { message: undefined, violations: v.items }
}

function stripOffsets(list: readonly DecodedExtension[]): Extension[] {
  return list.map((e) => ({ type: e.type, data: e.data }))
}

/** Optional extensions block at the end of a hello. */
function readExtensions(r: WireReader): { ok: boolean, list?: DecodedExtension[] } {
  if (r.remaining === 0) return { ok: true }
  const at = r.at
  const block = r.vector('extensions', 2)
  if (block === undefined) return { ok: false }
  const list = decodeExtensionList(block, r.v, at + 2)
  r.end()
  return { ok: true, list }
}

/**
 * ClientHello with the DTLS cookie (RFC 6347 §4.2.1). Also returns the decoded extensions with
 * their offsets, for readHelloExtensions. Never throws.
 */
export function decodeClientHello(body: Uint8Array): Decoded<ClientHello> & { readonly extensionList?: readonly DecodedExtension[] } {
  const v = new ViolationList()
  const r = new WireReader(body, v, 0, 'ClientHello', S_CH)
  const clientVersion = r.uint('client_version', 2)
  const random = r.fixed('random', RANDOM_LENGTH)
  const sessionIdAt = r.at
  const sessionId = r.vector('session_id', 1)
  const cookie = r.vector('cookie', 1)
  const suitesAt = r.at
  const suites = r.vector('cipher_suites', 2)
  const compAt = r.at
  const comp = r.vector('compression_methods', 1)
  if (clientVersion === undefined || random === undefined || sessionId === undefined || cookie === undefined || suites === undefined || comp === undefined) return failed(v)
  const ext = readExtensions(r)
  if (!ext.ok) return failed(v)
  if (sessionId.length > MAX_SESSION_ID_LENGTH) {
    v.add(sessionIdAt, 'dtls.hello-session-id-length', S_CH, `session_id has ${sessionId.length} bytes; at most 32 are allowed.`)
  }
  if (suites.length < 2 || suites.length % 2 !== 0) {
    v.add(suitesAt, 'dtls.hello-cipher-suites-length', S_CH, `cipher_suites takes ${suites.length} bytes; it must be a non-empty list of 2-byte code points.`)
  }
  const compressionMethods = readUintList(comp, 1)
  if (!compressionMethods.includes(0)) {
    v.add(compAt, 'dtls.hello-no-null-compression', S_CH, 'compression_methods must include null (0); a server aborts the handshake.')
  }
  const ch: Mutable<ClientHello> = { clientVersion, random, sessionId, cookie, cipherSuites: readUintList(suites, 2), compressionMethods }
  if (ext.list !== undefined) ch.extensions = stripOffsets(ext.list)
  return ext.list === undefined ? result(ch, v) : { ...result(ch, v), extensionList: ext.list }
}

export function encodeClientHello(ch: ClientHello): Uint8Array {
  if (ch.random.length !== RANDOM_LENGTH) throw new RangeError(`random of ${ch.random.length} bytes (32)`)
  const w = new WireWriter()
    .uint(ch.clientVersion, 2, 'client_version')
    .bytes(ch.random)
    .vector(ch.sessionId, 1, 'session_id', 0, MAX_SESSION_ID_LENGTH)
    .vector(ch.cookie, 1, 'cookie')
    .uintList(ch.cipherSuites, 2, 2, 'cipher_suites', 1)
    .uintList(ch.compressionMethods, 1, 1, 'compression_methods', 1)
  if (ch.extensions !== undefined) w.bytes(encodeExtensionList(ch.extensions))
  return w.finish()
}

export function decodeHelloVerifyRequest(body: Uint8Array): Decoded<HelloVerifyRequest> {
  const v = new ViolationList()
  const r = new WireReader(body, v, 0, 'HelloVerifyRequest', S_HVR)
  const serverVersion = r.uint('server_version', 2)
  const cookie = r.vector('cookie', 1)
  if (serverVersion === undefined || cookie === undefined) return failed(v)
  r.end()
  return result({ serverVersion, cookie }, v)
}

export function encodeHelloVerifyRequest(m: HelloVerifyRequest): Uint8Array {
  return new WireWriter().uint(m.serverVersion, 2, 'server_version').vector(m.cookie, 1, 'cookie').finish()
}

export function decodeServerHello(body: Uint8Array): Decoded<ServerHello> & { readonly extensionList?: readonly DecodedExtension[] } {
  const v = new ViolationList()
  const r = new WireReader(body, v, 0, 'ServerHello', S_SH)
  const serverVersion = r.uint('server_version', 2)
  const random = r.fixed('random', RANDOM_LENGTH)
  const sessionIdAt = r.at
  const sessionId = r.vector('session_id', 1)
  const cipherSuite = r.uint('cipher_suite', 2)
  const compAt = r.at
  const compressionMethod = r.uint('compression_method', 1)
  if (serverVersion === undefined || random === undefined || sessionId === undefined || cipherSuite === undefined || compressionMethod === undefined) return failed(v)
  const ext = readExtensions(r)
  if (!ext.ok) return failed(v)
  if (sessionId.length > MAX_SESSION_ID_LENGTH) {
    v.add(sessionIdAt, 'dtls.hello-session-id-length', S_SH, `session_id has ${sessionId.length} bytes; at most 32 are allowed.`)
  }
  if (compressionMethod !== 0) {
    v.add(compAt, 'dtls.hello-compression', S_SH, `compression_method ${compressionMethod} was not offered (only null, 0, is).`)
  }
  const sh: Mutable<ServerHello> = { serverVersion, random, sessionId, cipherSuite, compressionMethod }
  if (ext.list !== undefined) sh.extensions = stripOffsets(ext.list)
  return ext.list === undefined ? result(sh, v) : { ...result(sh, v), extensionList: ext.list }
}

export function encodeServerHello(sh: ServerHello): Uint8Array {
  if (sh.random.length !== RANDOM_LENGTH) throw new RangeError(`random of ${sh.random.length} bytes (32)`)
  const w = new WireWriter()
    .uint(sh.serverVersion, 2, 'server_version')
    .bytes(sh.random)
    .vector(sh.sessionId, 1, 'session_id', 0, MAX_SESSION_ID_LENGTH)
    .uint(sh.cipherSuite, 2, 'cipher_suite')
    .uint(sh.compressionMethod, 1, 'compression_method')
  if (sh.extensions !== undefined) w.bytes(encodeExtensionList(sh.extensions))
  return w.finish()
}

export function decodePskServerKeyExchange(body: Uint8Array): Decoded<PskServerKeyExchange> {
  const v = new ViolationList()
  const r = new WireReader(body, v, 0, 'ServerKeyExchange (PSK)', S_PSK)
  const identityHint = r.vector('psk_identity_hint', 2)
  if (identityHint === undefined) return failed(v)
  r.end()
  return result({ identityHint }, v)
}

export function encodePskServerKeyExchange(m: PskServerKeyExchange): Uint8Array {
  return new WireWriter().vector(m.identityHint, 2, 'psk_identity_hint').finish()
}

export function decodeEcdhePskServerKeyExchange(body: Uint8Array): Decoded<EcdhePskServerKeyExchange> {
  const v = new ViolationList()
  const r = new WireReader(body, v, 0, 'ServerKeyExchange (ECDHE_PSK)', S_ECDHE_PSK)
  const identityHint = r.vector('psk_identity_hint', 2)
  const curveTypeAt = r.at
  const curveType = r.uint('ECParameters.curve_type', 1)
  if (identityHint === undefined || curveType === undefined) return failed(v)
  if (curveType !== CURVE_TYPE_NAMED) {
    v.add(curveTypeAt, 'dtls.ske-curve-type', 'RFC 8422 §5.4',
      `curve_type ${curveType} is not named_curve (3), the only type allowed; the parameters cannot be read.`)
    return failed(v)
  }
  const namedCurve = r.uint('namedcurve', 2)
  const pointAt = r.at
  const publicPoint = r.vector('ECPoint', 1)
  if (namedCurve === undefined || publicPoint === undefined) return failed(v)
  if (publicPoint.length === 0) v.add(pointAt, 'dtls.ecpoint-empty', 'RFC 8422 §5.4', 'The ephemeral public point is empty.')
  r.end()
  return result({ identityHint, namedCurve, publicPoint }, v)
}

export function encodeEcdhePskServerKeyExchange(m: EcdhePskServerKeyExchange): Uint8Array {
  return new WireWriter()
    .vector(m.identityHint, 2, 'psk_identity_hint')
    .uint(CURVE_TYPE_NAMED, 1, 'curve_type')
    .uint(m.namedCurve, 2, 'namedcurve')
    .vector(m.publicPoint, 1, 'ECPoint', 1)
    .finish()
}

export function decodePskClientKeyExchange(body: Uint8Array): Decoded<PskClientKeyExchange> {
  const v = new ViolationList()
  const r = new WireReader(body, v, 0, 'ClientKeyExchange (PSK)', S_PSK)
  const identity = r.vector('psk_identity', 2)
  if (identity === undefined) return failed(v)
  r.end()
  return result({ identity }, v)
}

export function encodePskClientKeyExchange(m: PskClientKeyExchange): Uint8Array {
  return new WireWriter().vector(m.identity, 2, 'psk_identity').finish()
}

export function decodeEcdhePskClientKeyExchange(body: Uint8Array): Decoded<EcdhePskClientKeyExchange> {
  const v = new ViolationList()
  const r = new WireReader(body, v, 0, 'ClientKeyExchange (ECDHE_PSK)', S_ECDHE_PSK)
  const identity = r.vector('psk_identity', 2)
  const pointAt = r.at
  const publicPoint = r.vector('ECPoint', 1)
  if (identity === undefined || publicPoint === undefined) return failed(v)
  if (publicPoint.length === 0) v.add(pointAt, 'dtls.ecpoint-empty', 'RFC 8422 §5.4', 'The ephemeral public point is empty.')
  r.end()
  return result({ identity, publicPoint }, v)
}

export function encodeEcdhePskClientKeyExchange(m: EcdhePskClientKeyExchange): Uint8Array {
  return new WireWriter().vector(m.identity, 2, 'psk_identity').vector(m.publicPoint, 1, 'ECPoint', 1).finish()
}

/** ServerHelloDone has an empty body; anything in it is reported and ignored. */
export function decodeServerHelloDone(body: Uint8Array): Decoded<Record<string, never>> {
  const v = new ViolationList()
  new WireReader(body, v, 0, 'ServerHelloDone', S_SHD).end()
  return result({}, v)
}

export function encodeServerHelloDone(): Uint8Array {
  return new Uint8Array(0)
}

export function decodeFinished(body: Uint8Array): Decoded<Finished> {
  const v = new ViolationList()
  const r = new WireReader(body, v, 0, 'Finished', S_FIN)
  const verifyData = r.fixed('verify_data', VERIFY_DATA_LENGTH)
  if (verifyData === undefined) return failed(v)
  r.end()
  return result({ verifyData }, v)
}

export function encodeFinished(m: Finished): Uint8Array {
  if (m.verifyData.length !== VERIFY_DATA_LENGTH) throw new RangeError(`verify_data of ${m.verifyData.length} bytes (12, RFC 5246 §7.4.9)`)
  return m.verifyData.slice()
}
