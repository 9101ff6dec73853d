// SPDX-License-Identifier: Apache-2.0
// DTLS 1.2 record framing (dtls-facts §1): one UDP datagram holds one or more records (RFC 6347
// §4.1.1), each a 13-byte header (RFC 6347 §4.1) and its fragment; with Connection ID, a
// tls12_cid record (type 25) has the CID between sequence_number and length (RFC 9146 §4). The
// CID length is not on the wire: the receiver knows it because it chose its CIDs itself.
//
// Decoding is total: any byte string gives the records that are framed soundly plus violations
// for the others. A record with a bad version, an oversized fragment or a CID at epoch 0 is
// skipped (its length still frames the next one; RFC 6347 §4.1.2.7 discards invalid records
// one by one); a truncated header, a length beyond the datagram, an unknown content type or a
// CID record with no CID length leave nothing trustworthy to frame the rest, so decoding stops.
// Fragments are views into the datagram, not copies.
import { ViolationList, type Violation } from '../violation'

export const ContentType = {
  changeCipherSpec: 20,
  alert: 21,
  handshake: 22,
  applicationData: 23,
  heartbeat: 24,
  tls12Cid: 25
} as const

/** Record-layer version bytes (RFC 6347 §4.1): DTLS 1.2, and DTLS 1.0 as first ClientHellos carry. */
export const DTLS_1_2 = 0xfefd
export const DTLS_1_0 = 0xfeff

export const RECORD_HEADER_LENGTH = 13
/** Largest protected fragment, TLSCiphertext.length ≤ 2^14 + 2048 (RFC 5246 §6.2.3). */
export const MAX_RECORD_FRAGMENT = 2 ** 14 + 2048
/** Sequence numbers are 48-bit (RFC 6347 §4.1). */
export const MAX_SEQUENCE = 2 ** 48 - 1

const S_RECORD = 'RFC 6347 §4.1'
const S_CID = 'RFC 9146 §4'
const S_OVERFLOW = 'RFC 5246 §6.2.3'

export interface DtlsRecord {
  /** Content type on the wire (25 for a CID record; its real type is inside the protection). */
  readonly type: number
  readonly version: number
  readonly epoch: number
  /** 48-bit sequence_number, exact in a JS number. */
  readonly sequence: number
  /** Present exactly when type is 25 (tls12_cid). */
  readonly cid?: Uint8Array
  readonly fragment: Uint8Array
}

export interface DecodedRecord extends DtlsRecord {
  /** Where the record starts in the datagram and how many bytes it takes there. */
  readonly offset: number
  readonly size: number
}

export interface DecodedRecords {
  readonly records: readonly DecodedRecord[]
  readonly violations: readonly Violation[]
}

export interface RecordDecodeOptions {
  /**
   * Length of the CIDs this side asked to receive (RFC 9146 §3), 1..255. Absent or 0: no CID is
   * negotiated for receiving, and a tls12_cid record cannot be framed.
   */
  readonly cidLength?: number
}

const KNOWN_TYPES = new Set<number>(Object.values(ContentType))

function typeProblem(type: number): string {
  if (type === 26) return 'Content type 26 (ack) exists only in DTLS 1.3 (RFC 9147 §7); the rest of the datagram is not read.'
  if (type >= 32 && type <= 63) return `First byte 0x${type.toString(16)} is a DTLS 1.3 unified header (RFC 9147 §4), not a DTLS 1.2 record; the rest of the datagram is not read.`
  return `Content type ${type} is unknown (20-25 are defined for DTLS 1.2); the rest of the datagram is not read.`
}

/** Splits one datagram into records (RFC 6347 §4.1, §4.1.1; RFC 9146 §4). Never throws. */
export function decodeRecords(datagram: Uint8Array, options: RecordDecodeOptions = {}): DecodedRecords {
  const v = new ViolationList()
  const records: DecodedRecord[] = []
  const cidLength = options.cidLength ?? 0
  const end = datagram.length
  let p = 0
  while (p < end) {
    const start = p
    const type = datagram[p] as number
    if (!KNOWN_TYPES.has(type)) {
      v.add(start, 'dtls.record-unknown-type', S_RECORD, typeProblem(type))
      break
    }
    if (type === ContentType.tls12Cid && cidLength === 0) {
      v.add(start, 'dtls.record-cid-not-negotiated', S_CID,
        'A tls12_cid record (type 25) arrived, but no Connection ID was negotiated for this direction, so its length is unknown; the rest of the datagram is not read.')
      break
    }
    const cidLen = type === ContentType.tls12Cid ? cidLength : 0
    const headerLength = RECORD_HEADER_LENGTH + cidLen
    if (end - start < headerLength) {
      v.add(start, 'dtls.record-truncated-header', type === ContentType.tls12Cid ? S_CID : S_RECORD,
        `A record header takes ${headerLength} bytes; only ${end - start} remain in the datagram.`)
      break
    }
    const version = ((datagram[p + 1] as number) << 8) | (datagram[p + 2] as number)
    const epoch = ((datagram[p + 3] as number) << 8) | (datagram[p + 4] as number)
    const seqHigh = ((datagram[p + 5] as number) << 8) | (datagram[p + 6] as number)
    const seqLow = (((datagram[p + 7] as number) << 24) | ((datagram[p + 8] as number) << 16) | ((datagram[p + 9] as number) << 8) | (datagram[p + 10] as number)) >>> 0
    const sequence = seqHigh * 2 ** 32 + seqLow
    const cid = cidLen > 0 ? datagram.subarray(p + 11, p + 11 + cidLen) : undefined
    const lengthAt = p + 11 + cidLen
    const length = ((datagram[lengthAt] as number) << 8) | (datagram[lengthAt + 1] as number)
    const fragmentAt = start + headerLength
    if (fragmentAt + length > end) {
      v.add(lengthAt, 'dtls.record-length-overrun', S_RECORD,
        `The record claims ${length} bytes of fragment; only ${end - fragmentAt} remain in the datagram (a record never spans datagrams, RFC 6347 §4.1.1).`)
      break
    }
    p = fragmentAt + length
    if (version !== DTLS_1_2 && version !== DTLS_1_0) {
      v.add(start + 1, 'dtls.record-version', S_RECORD,
        `Record version 0x${version.toString(16).padStart(4, '0')} is neither DTLS 1.2 (0xfefd) nor DTLS 1.0 (0xfeff); the record is skipped.`)
      continue
    }
    if (length > MAX_RECORD_FRAGMENT) {
      v.add(lengthAt, 'dtls.record-overflow', S_OVERFLOW,
        `A record fragment is at most ${MAX_RECORD_FRAGMENT} bytes; this one has ${length} (record_overflow); the record is skipped.`)
      continue
    }
    if (cid !== undefined && epoch === 0) {
      v.add(start + 3, 'dtls.record-cid-epoch-zero', 'RFC 9146 §3',
        'A tls12_cid record at epoch 0: CIDs are used only once records are protected; the record is skipped.')
      continue
    }
    const fragment = datagram.subarray(fragmentAt, p)
    records.push(cid === undefined
      ? { type, version, epoch, sequence, fragment, offset: start, size: p - start }
      : { type, version, epoch, sequence, cid, fragment, offset: start, size: p - start })
  }
  return { records, violations: v.items }
}

function checkRecord(r: DtlsRecord): void {
  if (!Number.isInteger(r.type) || r.type < 0 || r.type > 255) throw new RangeError(`content type ${r.type}`)
  if (!Number.isInteger(r.version) || r.version < 0 || r.version > 0xffff) throw new RangeError(`version ${r.version}`)
  if (!Number.isInteger(r.epoch) || r.epoch < 0 || r.epoch > 0xffff) throw new RangeError(`epoch ${r.epoch} (16 bits, RFC 6347 §4.1)`)
  if (!Number.isInteger(r.sequence) || r.sequence < 0 || r.sequence > MAX_SEQUENCE) throw new RangeError(`sequence ${r.sequence} (48 bits, RFC 6347 §4.1)`)
  if (r.fragment.length > 0xffff) throw new RangeError(`fragment of ${r.fragment.length} bytes (16-bit length)`)
  const isCid = r.type === ContentType.tls12Cid
  if (isCid !== (r.cid !== undefined)) throw new RangeError('a CID goes with content type 25 (tls12_cid) and only there (RFC 9146 §4)')
  if (r.cid !== undefined && (r.cid.length === 0 || r.cid.length > 255)) throw new RangeError(`CID of ${r.cid.length} bytes (1-255 in a record, RFC 9146 §3)`)
}

/** Bytes one record takes on the wire. */
export function encodedRecordLength(r: DtlsRecord): number {
  return RECORD_HEADER_LENGTH + (r.cid?.length ?? 0) + r.fragment.length
}

/** Writes `r` at `at` in `out` (which must have room); returns the offset after it. */
function writeRecord(r: DtlsRecord, out: Uint8Array, at: number): number {
  const cidLen = r.cid?.length ?? 0
  out[at] = r.type
  out[at + 1] = r.version >> 8
  out[at + 2] = r.version & 0xff
  writeSeqNum(out, at + 3, r.epoch, r.sequence)
  if (r.cid !== undefined) out.set(r.cid, at + 11)
  out[at + 11 + cidLen] = r.fragment.length >> 8
  out[at + 12 + cidLen] = r.fragment.length & 0xff
  out.set(r.fragment, at + 13 + cidLen)
  return at + 13 + cidLen + r.fragment.length
}

/** One record's bytes (RFC 6347 §4.1; RFC 9146 §4). Throws RangeError for fields that do not fit. */
export function encodeRecord(r: DtlsRecord): Uint8Array {
  checkRecord(r)
  const out = new Uint8Array(encodedRecordLength(r))
  writeRecord(r, out, 0)
  return out
}

/** Several records packed into one datagram (RFC 6347 §4.1.1). */
export function encodeRecords(records: readonly DtlsRecord[]): Uint8Array {
  let n = 0
  for (const r of records) {
    checkRecord(r)
    n += encodedRecordLength(r)
  }
  const out = new Uint8Array(n)
  let at = 0
  for (const r of records) at = writeRecord(r, out, at)
  return out
}

/**
 * Writes epoch(2) ‖ sequence_number(6), the 64-bit seq_num of RFC 6347 §4.1 (and of the MAC/AAD
 * input, §4.1.2.1), at `at`. The 48-bit sequence is split in two because bit operators are 32-bit.
 */
export function writeSeqNum(out: Uint8Array, at: number, epoch: number, sequence: number): void {
  const high = Math.floor(sequence / 2 ** 32)
  const low = sequence >>> 0
  out[at] = epoch >> 8
  out[at + 1] = epoch & 0xff
  out[at + 2] = high >> 8
  out[at + 3] = high & 0xff
  out[at + 4] = low >>> 24
  out[at + 5] = (low >>> 16) & 0xff
  out[at + 6] = (low >>> 8) & 0xff
  out[at + 7] = low & 0xff
}
