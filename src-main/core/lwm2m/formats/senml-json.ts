// SPDX-License-Identifier: Apache-2.0
// SenML JSON (CF 110, RFC 8428 §5) as LwM2M uses it (C §7.5.6, facts §2.3). The pack is walked
// with our own JSON reader so that violations carry character offsets and duplicate labels are
// seen (JSON.parse would keep the last one silently). SenML-ETCH JSON (CF 320) reuses this with
// its own label rules.
import { JsonError, JsonReader } from '../../json/reader'
import { EncodeError, type CodecContext, type ContentCodec } from '../codec'
import { CF } from '../content-format'
import type { DecodeResult, Lwm2mRecord } from '../record'
import { counted, decodeViolations } from './counted'
import { encodeBase64Url } from './base64'
import {
  K_BOOL, K_LINK, K_NULL, K_NUM, K_STR, L_BN, L_BS, L_BT, L_BU, L_BV, L_BVER, L_N, L_S, L_T, L_U, L_UT, L_V, L_VB,
  L_VD, L_VLO, L_VS, SenmlDraft, SenmlNamer, SenmlResolver, etchKind, senmlValueField, type SenmlDialect
} from './senml-pack'

const utf8 = new TextDecoder('utf-8', { fatal: true })
const utf8Lenient = new TextDecoder('utf-8')
const utf8Encoder = new TextEncoder()

// A Map, not an object literal: "constructor" or "__proto__" must not find Object.prototype's.
const LABELS: ReadonlyMap<string, number> = new Map([
  ['bn', L_BN], ['bt', L_BT], ['n', L_N], ['t', L_T], ['v', L_V], ['vs', L_VS], ['vb', L_VB], ['vd', L_VD],
  ['vlo', L_VLO], ['bver', L_BVER], ['bu', L_BU], ['bv', L_BV], ['bs', L_BS], ['u', L_U], ['s', L_S], ['ut', L_UT]
])
/** Label names by id, for messages when the key was matched without building its string. */
const NAMES: readonly string[] = []
/** Labels by their letters packed 7 bits each (all are 1-4 lowercase ASCII letters). */
const PACKED = new Map<number, number>()
for (const [name, id] of LABELS) {
  ;(NAMES as string[])[id] = name
  let code = 0
  for (let i = 0; i < name.length; i++) code = code * 128 + name.charCodeAt(i)
  PACKED.set(code, id)
}

let keyEnd = 0

/**
 * The id of the key string starting at p when it is 1-4 plain lowercase letters naming a label
 * (its end goes to keyEnd), else -1: the caller then reads the key in full (escapes, unknown
 * labels), so this only skips allocating and hashing a string for the common case.
 */
function quickLabel(t: string, p: number): number {
  let code = 0
  for (let i = p + 1; i <= p + 5; i++) {
    const c = t.charCodeAt(i)
    if (c === 34) {
      if (i === p + 1) return -1
      keyEnd = i + 1
      return PACKED.get(code) ?? -1
    }
    if (c < 97 || c > 122) return -1
    code = code * 128 + c
  }
  return -1
}

/** Decodes a SenML JSON or SenML-ETCH JSON pack. */
export function decodeSenmlJsonPack(bytes: Uint8Array, ctx: CodecContext, dialect: SenmlDialect): DecodeResult {
  const violations = decodeViolations()
  const section = dialect === 'etch' ? 'RFC 8790 §6' : 'RFC 8428 §5'
  const res = new SenmlResolver(ctx, violations, dialect, section)
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch {
    violations.add(
      0,
      'json.invalid-utf8',
      'RFC 8259 §8.1',
      'the payload is not valid UTF-8; read with replacement characters'
    )
    text = utf8Lenient.decode(bytes)
  }
  const j = new JsonReader(text, violations)
  const d = new SenmlDraft()
  try {
    if (j.peek() !== 91) j.fail(j.pos, 'a SenML pack is a JSON array (RFC 8428 §5)', `${res.rule}.not-a-pack`)
    j.pos++
    if (j.peek() === 93) j.pos++
    else {
      do {
        const c = j.peek()
        if (c !== 123) {
          if (c === -1) j.fail(j.pos, 'the pack ends before its closing "]"')
          violations.add(
            j.pos,
            `${res.rule}.not-a-record`,
            'RFC 8428 §5',
            'a pack element must be a record (JSON object); skipped'
          )
          j.skipValue()
          continue
        }
        d.reset(j.pos)
        j.pos++
        if (j.peek() === 125) j.pos++
        else {
          do {
            j.peek()
            const keyAt = j.pos
            let id = quickLabel(text, keyAt)
            let key: string
            if (id >= 0) {
              j.pos = keyEnd
              key = NAMES[id] as string
            } else {
              key = j.readString()
              id = LABELS.get(key) ?? -1
            }
            // Compact JSON: ":" right after the key and the value right after it; else the
            // general steps (whitespace, errors).
            const colon = j.pos
            if (text.charCodeAt(colon) === 58 && text.charCodeAt(colon + 1) > 32) j.pos = colon + 1
            else {
              j.expect(58, '":"')
              if (j.peek() === -1) j.fail(j.pos, 'expected a value')
            }
            readField(j, res, d, id, key, keyAt)
          } while (j.next(125, '"}"'))
        }
        res.commit(d)
      } while (j.next(93, '"]"'))
    }
    j.finish()
  } catch (e) {
    if (!(e instanceof JsonError)) throw e
  }
  return counted(res.records, violations)
}

function readField(j: JsonReader, res: SenmlResolver, d: SenmlDraft, id: number, key: string, at: number): void {
  if (id < 0) {
    res.unknownLabel(at, key)
    j.skipValue()
    return
  }
  if (!res.label(d, id, at, key)) {
    j.skipValue()
    return
  }
  const c = j.text.charCodeAt(j.pos)
  const isNum = c === 45 || (c >= 48 && c <= 57)
  switch (id) {
    case L_BN:
    case L_N:
      if (c !== 34) return invalid(j, res, at, key, 'a string')
      if (id === L_BN) d.baseName = j.readString()
      else d.name = j.readString()
      return
    case L_BT:
    case L_T: {
      if (!isNum) return invalid(j, res, at, key, 'a number')
      const n = Number(j.readNumber())
      if (id === L_BT) d.baseTime = n
      else d.time = n
      return
    }
    case L_V:
    case L_VS:
    case L_VB:
    case L_VD:
    case L_VLO:
      break
    default:
      j.skipValue()
      return
  }
  if (c === 110) {
    j.readLiteral()
    if (res.value(d, at, key)) d.kind = K_NULL
    return
  }
  if (id === L_V) {
    if (!isNum) return invalid(j, res, at, key, 'a number')
    const n = j.readNumber()
    if (!res.value(d, at, key)) return
    d.kind = K_NUM
    d.num = n
    d.numFloat = j.wasFloat
  } else if (id === L_VB) {
    if (c !== 116 && c !== 102) return invalid(j, res, at, key, 'true or false')
    const b = j.readLiteral() === 116
    if (!res.value(d, at, key)) return
    d.kind = K_BOOL
    d.bool = b
  } else {
    if (c !== 34) return invalid(j, res, at, key, 'a string')
    const s = j.readString()
    if (!res.value(d, at, key)) return
    if (id === L_VD) res.data(d, at, s)
    else {
      d.kind = id === L_VS ? K_STR : K_LINK
      d.str = s
    }
  }
}

function invalid(j: JsonReader, res: SenmlResolver, at: number, key: string, expected: string): void {
  res.invalid(at, key, expected)
  j.skipValue()
}

/** Encodes records as SenML JSON or SenML-ETCH JSON, canonical naming per SenmlNamer. */
export function encodeSenmlJsonPack(records: readonly Lwm2mRecord[], dialect: SenmlDialect): Uint8Array {
  const rule = dialect === 'etch' ? 'senml-etch' : 'senml'
  const namer = new SenmlNamer(rule)
  let kind = 0
  let out = '['
  for (let i = 0; i < records.length; i++) {
    const rec = records[i] as Lwm2mRecord
    namer.next(rec)
    if (dialect === 'etch') kind = etchKind(rec, kind)
    out += i === 0 ? '{' : ',{'
    let sep = ''
    if (namer.bn !== undefined) {
      out += '"bn":' + JSON.stringify(namer.bn)
      sep = ','
    }
    if (namer.n !== undefined) {
      out += sep + '"n":' + JSON.stringify(namer.n)
      sep = ','
    }
    if (rec.time !== undefined) {
      out += sep + '"t":' + jsonNumber(rec.time, rule, rec)
      sep = ','
    }
    const value = jsonValue(rec, dialect, rule)
    out += (value === '' ? '' : sep + value) + '}'
  }
  return utf8Encoder.encode(out + ']')
}

function jsonNumber(n: number, rule: string, rec: Lwm2mRecord): string {
  if (!Number.isFinite(n)) throw new EncodeError(
    `${rule}.not-finite`,
    `${n} has no JSON form`,
    '/' + rec.path.join('/')
  )
  return Object.is(n, -0) ? '-0.0' : String(n)
}

/** The value field of a record ('' for none), as senmlValueField checked it. */
function jsonValue(rec: Lwm2mRecord, dialect: SenmlDialect, rule: string): string {
  const f = senmlValueField(rec, dialect, rule)
  if (f === null) return ''
  switch (f.kind) {
    case 'delete':
      return '"v":null'
    case 'integer':
      return '"v":' + String(f.value)
    case 'float':
      return '"v":' + jsonNumber(f.value, rule, rec)
    case 'string':
      return '"vs":' + JSON.stringify(f.value)
    case 'boolean':
      return f.value ? '"vb":true' : '"vb":false'
    case 'opaque':
      return '"vd":"' + encodeBase64Url(f.value) + '"'
    case 'objlnk':
      return '"vlo":"' + f.value + '"'
  }
}

export const senmlJsonCodec: ContentCodec = {
  format: CF.SENML_JSON,
  decode: (bytes, ctx) => decodeSenmlJsonPack(bytes, ctx, 'senml'),
  encode: (records) => encodeSenmlJsonPack(records, 'senml')
}
