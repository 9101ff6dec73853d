// SPDX-License-Identifier: Apache-2.0
// SenML CBOR (CF 112, RFC 8428 §6) as LwM2M uses it (C §7.5.7, facts §2.3): integer labels,
// "vlo" as a text label, "vd" as a byte string. Decoded straight from the CBOR cursor into
// records, without an intermediate tree. SenML-ETCH CBOR (CF 322) reuses this.
import { CborError, CborReader, MAJOR_ARRAY, MAJOR_BYTES, MAJOR_MAP, MAJOR_NEGINT, MAJOR_TEXT, MAJOR_UINT } from '../../cbor/reader'
import { CborWriter } from '../../cbor/writer'
import type { CodecContext, ContentCodec } from '../codec'
import { CF } from '../content-format'
import type { DecodeResult, Lwm2mRecord } from '../record'
import { counted, decodeViolations } from './counted'
import {
  K_BOOL, K_DATA, K_LINK, K_NULL, K_NUM, K_STR, L_BN, L_BS, L_BT, L_BU, L_BV, L_BVER, L_N, L_S, L_T, L_U, L_UT, L_V,
  L_VB, L_VD, L_VLO, L_VS, SenmlDraft, SenmlNamer, SenmlResolver, etchKind, senmlValueField, type SenmlDialect
} from './senml-pack'

/** RFC 8428 §6 Table 6 integer labels, offset by 6 so that -6..8 index the array. */
const BY_INT: readonly number[] = [L_BS, L_BV, L_BU, L_BT, L_BN, L_BVER, L_N, L_U, L_V, L_VS, L_VB, L_S, L_T, L_UT, L_VD]
const NAMES: readonly string[] = ['', 'bn', 'bt', 'n', 't', 'v', 'vs', 'vb', 'vd', 'vlo', 'bver', 'bu', 'bv', 'bs', 'u', 's', 'ut']

export function decodeSenmlCborPack(bytes: Uint8Array, ctx: CodecContext, dialect: SenmlDialect): DecodeResult {
  const violations = decodeViolations()
  const section = dialect === 'etch' ? 'RFC 8790 §6' : 'RFC 8428 §6'
  const res = new SenmlResolver(ctx, violations, dialect, section)
  res.floatWins = true
  const r = new CborReader(bytes, violations)
  const d = new SenmlDraft()
  try {
    if (r.peekMajor() !== MAJOR_ARRAY) r.fail(
      0,
      `${res.rule}.not-a-pack`,
      'a SenML pack is a CBOR array',
      'RFC 8428 §6'
    )
    const n = r.readArrayStart()
    for (let i = 0; n < 0 ? !r.atBreak() : i < n; i++) {
      const at = r.pos
      r.more()
      if (r.peekMajor() !== MAJOR_MAP) {
        violations.add(
          at,
          `${res.rule}.not-a-record`,
          'RFC 8428 §6',
          'a pack element must be a record (CBOR map); skipped'
        )
        r.skip()
        continue
      }
      d.reset(at)
      const m = r.readMapStart()
      for (let k = 0; m < 0 ? !r.atBreak() : k < m; k++) readField(r, res, d)
      r.leave(m < 0)
      res.commit(d)
    }
    r.leave(n < 0)
    r.finish()
  } catch (e) {
    if (!(e instanceof CborError)) throw e
  }
  return counted(res.records, violations)
}

function readField(r: CborReader, res: SenmlResolver, d: SenmlDraft): void {
  const at = r.pos
  r.more()
  const kb = r.bytes[at] as number
  let id: number
  if (kb < 0x18 || (kb >= 0x20 && kb < 0x38)) {
    // Every registered label is a one-byte integer: read it inline.
    r.pos = at + 1
    const label = kb < 0x18 ? kb : 0x1f - kb
    id = label >= -6 && label <= 8 ? (BY_INT[label + 6] as number) : 0
    if (id === 0) {
      res.unknownLabel(at, String(label))
      r.skip()
      return
    }
  } else if (kb >> 5 === MAJOR_UINT || kb >> 5 === MAJOR_NEGINT) {
    res.unknownLabel(at, String(r.readInt()))
    r.skip()
    return
  } else if (kb >> 5 === MAJOR_TEXT) {
    const label = r.readText()
    if (label !== 'vlo') {
      res.unknownLabel(at, label)
      r.skip()
      return
    }
    id = L_VLO
  } else {
    res.invalid(at, 'label', 'an integer or a text string')
    r.skip()
    r.skip()
    return
  }
  const name = NAMES[id] as string
  const bit = 1 << id
  if ((d.seen & bit) === 0 && id < L_BVER) d.seen |= bit
  else if (!res.label(d, id, at, name)) {
    r.skip()
    return
  }
  r.more()
  const ib = r.peekByte()
  const vm = ib >> 5
  const isNum = vm === MAJOR_UINT || vm === MAJOR_NEGINT || (ib >= 0xf9 && ib <= 0xfb)
  switch (id) {
    case L_BN:
    case L_N:
      if (vm !== MAJOR_TEXT) return invalid(r, res, at, name, 'a text string')
      if (id === L_BN) d.baseName = r.readText()
      else d.name = r.readText()
      return
    case L_BT:
    case L_T: {
      if (!isNum) return invalid(r, res, at, name, 'a number')
      const t = Number(r.readNumber())
      if (id === L_BT) d.baseTime = t
      else d.time = t
      return
    }
    case L_V:
    case L_VS:
    case L_VB:
    case L_VD:
    case L_VLO:
      break
    default:
      r.skip()
      return
  }
  if (ib === 0xf6) {
    r.readNull()
    if (res.value(d, at, name)) d.kind = K_NULL
    return
  }
  switch (id) {
    case L_V: {
      if (!isNum) return invalid(r, res, at, name, 'a number')
      const n = r.readNumber()
      if (!res.value(d, at, name)) return
      d.kind = K_NUM
      d.num = n
      d.numFloat = r.wasFloat
      return
    }
    case L_VB: {
      if (ib !== 0xf4 && ib !== 0xf5) return invalid(r, res, at, name, 'true or false')
      const b = r.readBool()
      if (!res.value(d, at, name)) return
      d.kind = K_BOOL
      d.bool = b
      return
    }
    case L_VD: {
      if (vm !== MAJOR_BYTES) return invalid(r, res, at, name, 'a byte string')
      const b = r.readBytes()
      if (!res.value(d, at, name)) return
      d.kind = K_DATA
      d.bytes = b
      return
    }
    default: {
      if (vm !== MAJOR_TEXT) return invalid(r, res, at, name, 'a text string')
      const s = r.readText()
      if (!res.value(d, at, name)) return
      d.kind = id === L_VS ? K_STR : K_LINK
      d.str = s
    }
  }
}

function invalid(r: CborReader, res: SenmlResolver, at: number, label: string, expected: string): void {
  res.invalid(at, label, expected)
  r.skip()
}

/**
 * Encodes SenML CBOR or SenML-ETCH CBOR: canonical naming per SenmlNamer, preferred
 * serialization, labels in the order bn, n, t, value (fixed, not RFC 8949 §4.2.1 key sorting, so
 * that the facts file's examples come out byte for byte).
 */
export function encodeSenmlCborPack(records: readonly Lwm2mRecord[], dialect: SenmlDialect, w = new CborWriter(64 + records.length * 16)): Uint8Array {
  const rule = dialect === 'etch' ? 'senml-etch' : 'senml'
  const namer = new SenmlNamer(rule)
  let kind = 0
  w.arrayHeader(records.length)
  for (const rec of records) {
    namer.next(rec)
    if (dialect === 'etch') kind = etchKind(rec, kind)
    const hasValue = rec.value !== undefined || rec.delete === true
    w.mapHeader((namer.bn !== undefined ? 1 : 0) + (namer.n !== undefined ? 1 : 0) + (rec.time !== undefined ? 1 : 0) + (hasValue ? 1 : 0))
    if (namer.bn !== undefined) {
      w.head(MAJOR_NEGINT, 1)
      w.text(namer.bn)
    }
    if (namer.n !== undefined) {
      w.head(MAJOR_UINT, 0)
      w.text(namer.n)
    }
    if (rec.time !== undefined) {
      w.head(MAJOR_UINT, 6)
      if (Number.isSafeInteger(rec.time)) w.int(rec.time)
      else w.float(rec.time)
    }
    if (hasValue) cborValue(w, rec, dialect, rule)
  }
  return w.finish()
}

function cborValue(w: CborWriter, rec: Lwm2mRecord, dialect: SenmlDialect, rule: string): void {
  const f = senmlValueField(rec, dialect, rule)
  if (f === null) return
  switch (f.kind) {
    case 'delete':
      w.head(MAJOR_UINT, 2)
      w.null()
      return
    case 'integer':
      w.head(MAJOR_UINT, 2)
      w.int(f.value)
      return
    case 'float':
      w.head(MAJOR_UINT, 2)
      w.float(f.value)
      return
    case 'string':
      w.head(MAJOR_UINT, 3)
      w.text(f.value)
      return
    case 'boolean':
      w.head(MAJOR_UINT, 4)
      w.bool(f.value)
      return
    case 'opaque':
      w.head(MAJOR_UINT, 8)
      w.bytes(f.value)
      return
    case 'objlnk':
      // vlo has no CBOR integer label: its key is the text.
      w.text('vlo')
      w.text(f.value)
  }
}

export const senmlCborCodec: ContentCodec = {
  format: CF.SENML_CBOR,
  decode: (bytes, ctx) => decodeSenmlCborPack(bytes, ctx, 'senml'),
  encode: (records) => encodeSenmlCborPack(records, 'senml')
}

