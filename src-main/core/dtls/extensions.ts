// SPDX-License-Identifier: Apache-2.0
// Hello extensions (RFC 5246 §7.4.1.4): the raw list — type(2) ‖ extension_data<0..2^16-1> —
// and typed views of the ones the DTLS 1.2 handshake of this tool reads or sends: supported_groups
// and ec_point_formats (RFC 8422 §5.1), signature_algorithms (RFC 5246 §7.4.1.4.1),
// client/server_certificate_type (RFC 7250 §3), encrypt_then_mac (RFC 7366), extended_master_secret
// (RFC 7627 §5.1), record_size_limit (RFC 8449 §4), connection_id (RFC 9146 §3) and
// renegotiation_info (RFC 5746 §3.2). dtls-facts §2.9, §2.10, §5.1, §6.
//
// Decoding is total. An extension type seen twice is a violation (RFC 5246 §7.4.1.4) and the
// first one counts; a body that does not parse is a violation and leaves its view field unset.
// Unknown types stay in the raw list. The pre-RFC connection_id code points 53 (drafts) and 254
// (Mbed TLS ≤ 3.2) are recognised and reported, never negotiated.
import { ViolationList } from '../violation'
import { readUintList, WireReader, WireWriter } from './wire-reader'

export const ExtensionType = {
  maxFragmentLength: 1,
  supportedGroups: 10,
  ecPointFormats: 11,
  signatureAlgorithms: 13,
  clientCertificateType: 19,
  serverCertificateType: 20,
  encryptThenMac: 22,
  extendedMasterSecret: 23,
  recordSizeLimit: 28,
  sessionTicket: 35,
  connectionIdDraft: 53,
  connectionId: 54,
  connectionIdMbedLegacy: 254,
  renegotiationInfo: 0xff01
} as const

const NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'server_name'], [1, 'max_fragment_length'], [5, 'status_request'], [10, 'supported_groups'],
  [11, 'ec_point_formats'], [13, 'signature_algorithms'], [16, 'application_layer_protocol_negotiation'],
  [19, 'client_certificate_type'], [20, 'server_certificate_type'], [22, 'encrypt_then_mac'],
  [23, 'extended_master_secret'], [28, 'record_size_limit'], [35, 'session_ticket'],
  [53, 'connection_id (draft, deprecated)'], [54, 'connection_id'], [254, 'connection_id (Mbed TLS ≤ 3.2, private)'],
  [0xff01, 'renegotiation_info']
])

/** "extended_master_secret (23)", or "extension 4660" for one we have no name for. */
export function describeExtension(type: number): string {
  const n = NAMES.get(type)
  return n === undefined ? `extension ${type}` : `${n} (${type})`
}

/** Certificate types (RFC 7250 §3; IANA TLS Certificate Types). */
export const CertificateType = { x509: 0, rawPublicKey: 2 } as const

export interface Extension {
  readonly type: number
  readonly data: Uint8Array
}

export interface DecodedExtension extends Extension {
  /** Offset of the extension's type field in the caller's frame. */
  readonly offset: number
}

const S_LIST = 'RFC 5246 §7.4.1.4'

/**
 * The extensions in `block` (the bytes after the 2-byte extensions length). `base` is where `block`
 * starts in the caller's frame, for violation offsets. Never throws.
 */
export function decodeExtensionList(block: Uint8Array, v: ViolationList, base = 0): DecodedExtension[] {
  const r = new WireReader(block, v, base, 'extensions', S_LIST)
  const out: DecodedExtension[] = []
  const seen = new Set<number>()
  while (r.remaining > 0) {
    const offset = r.at
    const type = r.uint('extension type', 2)
    if (type === undefined) break
    const data = r.vector(describeExtension(type), 2)
    if (data === undefined) break
    if (seen.has(type)) {
      v.add(offset, 'dtls.extension-duplicate', S_LIST,
        `${describeExtension(type)} appears more than once; a peer must abort with illegal_parameter or decode_error. Only the first is used.`)
      continue
    }
    seen.add(type)
    out.push({ type, data, offset })
  }
  return out
}

/** The extensions block with its 2-byte length (RFC 5246 §7.4.1.2). Throws RangeError on duplicates or oversize. */
export function encodeExtensionList(extensions: readonly Extension[]): Uint8Array {
  const seen = new Set<number>()
  const w = new WireWriter()
  for (const e of extensions) {
    if (seen.has(e.type)) throw new RangeError(`${describeExtension(e.type)} twice (RFC 5246 §7.4.1.4)`)
    seen.add(e.type)
    w.uint(e.type, 2, 'extension type').vector(e.data, 2, describeExtension(e.type))
  }
  return new WireWriter().vector(w.finish(), 2, 'extensions').finish()
}

/** Which hello the extensions are in: some bodies differ (certificate types, renegotiation_info). */
export type HelloSide = 'client' | 'server'

/** Typed view of the extensions this tool understands; a field is set only when present and sound. */
export interface HelloExtensions {
  /** NamedGroup code points (RFC 8422 §5.1.1), e.g. 23 secp256r1, 29 x25519. */
  readonly supportedGroups?: readonly number[]
  /** ECPointFormat list (RFC 8422 §5.1.2); 0 uncompressed. */
  readonly ecPointFormats?: readonly number[]
  /** SignatureAndHashAlgorithm pairs as 16-bit values (RFC 5246 §7.4.1.4.1), e.g. 0x0403 ecdsa_secp256r1_sha256. */
  readonly signatureAlgorithms?: readonly number[]
  /** client_certificate_type: the offered list in a ClientHello, one chosen type in a ServerHello. */
  readonly clientCertificateTypes?: readonly number[]
  readonly serverCertificateTypes?: readonly number[]
  readonly encryptThenMac?: true
  readonly extendedMasterSecret?: true
  /** RFC 8449 §4: largest plaintext record the sender wants to receive, ≥ 64. */
  readonly recordSizeLimit?: number
  /** RFC 9146 §3: the CID the sender wants to receive (may be empty). */
  readonly connectionId?: Uint8Array
  /** RFC 5746 §3.2: renegotiated_connection (empty in an initial handshake). */
  readonly renegotiationInfo?: Uint8Array
  /** Pre-RFC 9146 CID code points seen (53, 254): recognised, not supported. */
  readonly legacyConnectionId?: readonly number[]
}

const SECTIONS: ReadonlyMap<number, string> = new Map([
  [10, 'RFC 8422 §5.1.1'],
  [11, 'RFC 8422 §5.1.2'],
  [13, 'RFC 5246 §7.4.1.4.1'],
  [19, 'RFC 7250 §3'],
  [20, 'RFC 7250 §3'],
  [22, 'RFC 7366 §2'],
  [23, 'RFC 7627 §5.1'],
  [28, 'RFC 8449 §4'],
  [54, 'RFC 9146 §3'],
  [0xff01, 'RFC 5746 §3.2']
])

/** Reads the typed view out of a decoded list, adding violations for bodies that do not parse. Never throws. */
export function readHelloExtensions(list: readonly DecodedExtension[], side: HelloSide, v: ViolationList): HelloExtensions {
  const view: { -readonly [K in keyof HelloExtensions]: HelloExtensions[K] } = {}
  for (const e of list) {
    const section = SECTIONS.get(e.type) ?? S_LIST
    const dataAt = e.offset + 4
    const r = new WireReader(e.data, v, dataAt, describeExtension(e.type), section)
    const bad = (message: string): void => {
      v.add(dataAt, 'dtls.extension-body', section, `${describeExtension(e.type)}: ${message}`)
    }
    const list16 = (min: number): number[] | undefined => {
      const b = r.vector('list', 2)
      if (b === undefined) return undefined
      r.end()
      if (b.length % 2 !== 0 || b.length < min * 2) return void bad(`the list takes ${b.length} bytes; it must hold at least ${min} 2-byte entries.`)
      return readUintList(b, 2)
    }
    const list8 = (min: number): number[] | undefined => {
      const b = r.vector('list', 1)
      if (b === undefined) return undefined
      r.end()
      if (b.length < min) return void bad(`the list must hold at least ${min} entries.`)
      return readUintList(b, 1)
    }
    const empty = (): true | undefined => {
      if (e.data.length !== 0) return void bad(`the body must be empty; it has ${e.data.length} bytes.`)
      return true
    }
    switch (e.type) {
      case ExtensionType.supportedGroups: view.supportedGroups = list16(1); break
      case ExtensionType.ecPointFormats: view.ecPointFormats = list8(1); break
      case ExtensionType.signatureAlgorithms: view.signatureAlgorithms = list16(1); break
      case ExtensionType.clientCertificateType:
      case ExtensionType.serverCertificateType: {
        let types: number[] | undefined
        if (side === 'client') types = list8(1)
        else {
          const t = r.uint('certificate type', 1)
          r.end()
          types = t === undefined ? undefined : [t]
        }
        if (e.type === ExtensionType.clientCertificateType) view.clientCertificateTypes = types
        else view.serverCertificateTypes = types
        break
      }
      case ExtensionType.encryptThenMac: view.encryptThenMac = empty(); break
      case ExtensionType.extendedMasterSecret: view.extendedMasterSecret = empty(); break
      case ExtensionType.recordSizeLimit: {
        const n = r.uint('RecordSizeLimit', 2)
        r.end()
        if (n !== undefined && n < 64) bad(`${n} is below the smallest allowed limit, 64 (illegal_parameter).`)
        else view.recordSizeLimit = n
        break
      }
      case ExtensionType.connectionId: {
        const b = r.vector('cid', 1)
        r.end()
        view.connectionId = b
        break
      }
      case ExtensionType.renegotiationInfo: {
        const b = r.vector('renegotiated_connection', 1)
        r.end()
        view.renegotiationInfo = b
        break
      }
      case ExtensionType.connectionIdDraft:
      case ExtensionType.connectionIdMbedLegacy:
        v.add(e.offset, 'dtls.extension-legacy-cid', 'RFC 9146 §3',
          `${describeExtension(e.type)} is a pre-standard Connection ID code point; only 54 is supported, so no CID is negotiated through it.`)
        view.legacyConnectionId = [...(view.legacyConnectionId ?? []), e.type]
        break
      default:
        break
    }
  }
  for (const k of Object.keys(view) as (keyof HelloExtensions)[]) if (view[k] === undefined) delete view[k]
  return view
}

/** The raw extensions for a typed view, in a fixed order (legacy CID code points are never sent). */
export function helloExtensionList(view: HelloExtensions, side: HelloSide): Extension[] {
  const out: Extension[] = []
  const add = (type: number, w: WireWriter): void => {
    out.push({ type, data: w.finish() })
  }
  if (view.supportedGroups !== undefined) add(ExtensionType.supportedGroups, new WireWriter().uintList(view.supportedGroups, 2, 2, 'supported_groups', 1))
  if (view.ecPointFormats !== undefined) add(ExtensionType.ecPointFormats, new WireWriter().uintList(view.ecPointFormats, 1, 1, 'ec_point_formats', 1))
  if (view.signatureAlgorithms !== undefined) add(ExtensionType.signatureAlgorithms, new WireWriter().uintList(view.signatureAlgorithms, 2, 2, 'signature_algorithms', 1))
  const certTypes = (type: number, types: readonly number[]): void => {
    if (side === 'client') add(type, new WireWriter().uintList(types, 1, 1, describeExtension(type), 1))
    else {
      if (types.length !== 1) throw new RangeError(`${describeExtension(type)} in a ServerHello carries exactly one type (RFC 7250 §3)`)
      add(type, new WireWriter().uint(types[0] as number, 1, describeExtension(type)))
    }
  }
  if (view.clientCertificateTypes !== undefined) certTypes(ExtensionType.clientCertificateType, view.clientCertificateTypes)
  if (view.serverCertificateTypes !== undefined) certTypes(ExtensionType.serverCertificateType, view.serverCertificateTypes)
  if (view.encryptThenMac === true) add(ExtensionType.encryptThenMac, new WireWriter())
  if (view.extendedMasterSecret === true) add(ExtensionType.extendedMasterSecret, new WireWriter())
  if (view.recordSizeLimit !== undefined) {
    if (view.recordSizeLimit < 64) throw new RangeError(`record_size_limit ${view.recordSizeLimit} < 64 (RFC 8449 §4)`)
    add(ExtensionType.recordSizeLimit, new WireWriter().uint(view.recordSizeLimit, 2, 'record_size_limit'))
  }
  if (view.connectionId !== undefined) add(ExtensionType.connectionId, new WireWriter().vector(view.connectionId, 1, 'connection_id'))
  if (view.renegotiationInfo !== undefined) add(ExtensionType.renegotiationInfo, new WireWriter().vector(view.renegotiationInfo, 1, 'renegotiation_info'))
  return out
}
