// SPDX-License-Identifier: Apache-2.0
// One LwM2M value as a CBOR item, per the "CBOR, LwM2M CBOR" column of C App. C Tbl C-2
// (facts §2.5, §2.6): shared by CBOR 60 and LwM2M CBOR. The model type decides the reading;
// without a model the CBOR major type does.
import { MAJOR_ARRAY, MAJOR_BYTES, MAJOR_MAP, MAJOR_NEGINT, MAJOR_TAG, MAJOR_TEXT, MAJOR_UINT, type CborReader } from '../../cbor/reader'
import type { CborWriter } from '../../cbor/writer'
import { EncodeError } from '../codec'
import type { ResourceType, Value } from '../value'
import { readObjlnkText, writeObjlnkText } from './objlnk-text'

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const UINT64_MAX = 2n ** 64n - 1n

/** Where to file violations: rule prefix and spec section of the calling format. */
export interface ValueSite {
  readonly rule: string
  readonly section: string
}

/**
 * Reads one value item. Returns undefined (after a violation) when the item cannot be a value;
 * wrong-but-readable items are returned with the type the wire implies, plus a violation.
 */
export function readCborValue(r: CborReader, type: ResourceType | undefined, site: ValueSite): Value | undefined {
  const start = r.pos
  r.more()
  const ib = r.peekByte()
  const major = ib >> 5
  switch (major) {
    case MAJOR_UINT:
    case MAJOR_NEGINT: {
      const n = r.readInt()
      return integerValue(r, n, type, start, site)
    }
    case MAJOR_TEXT: {
      const s = r.readText()
      if (type === undefined || type === 'string') return { type: 'string', value: s }
      if (type === 'corelnk') return { type: 'corelnk', value: s }
      if (type === 'objlnk') {
        const link = readObjlnkText(s)
        if (link) return { type: 'objlnk', value: link }
        r.violations.add(
          start,
          `${site.rule}.invalid-objlnk`,
          site.section,
          `"${s}" is not an object link "OID:IID"`
        )
        return { type: 'string', value: s }
      }
      wrongType(r, type, start, site, 'a text string')
      return { type: 'string', value: s }
    }
    case MAJOR_BYTES: {
      const b = r.readBytes()
      if (type !== undefined && type !== 'opaque') wrongType(r, type, start, site, 'a byte string')
      return { type: 'opaque', value: b }
    }
    case MAJOR_TAG:
      return readTagged(r, type, start, site)
    case MAJOR_ARRAY:
    case MAJOR_MAP:
      r.violations.add(
        start,
        `${site.rule}.not-a-value`,
        site.section,
        'an array or map where a resource value belongs'
      )
      r.skip()
      return undefined
    default:
      break
  }
  if (ib >= 0xf9 && ib <= 0xfb) {
    const f = r.readFloat()
    if (type === undefined || type === 'float') return { type: 'float', value: f }
    wrongType(r, type, start, site, 'a float')
    if ((type === 'integer' || type === 'unsigned' || type === 'time') && Number.isSafeInteger(f)) return { type, value: f }
    return { type: 'float', value: f }
  }
  if (ib === 0xf4 || ib === 0xf5) {
    const v = r.readBool()
    if (type !== undefined && type !== 'boolean') wrongType(r, type, start, site, 'a boolean')
    return { type: 'boolean', value: v }
  }
  if (ib === 0xf6) {
    r.readNull()
    if (type !== undefined && type !== 'none') {
      r.violations.add(
        start,
        `${site.rule}.null-value`,
        site.section,
        `null is only for executable (none) resources, this one is ${type}`
      )
    }
    return { type: 'none', value: null }
  }
  r.violations.add(start, `${site.rule}.not-a-value`, site.section, 'this simple value has no LwM2M meaning')
  r.skip()
  return undefined
}

/** The wire type cannot hold the model's type (a plain function: no closure per value read). */
function wrongType(r: CborReader, type: ResourceType | undefined, start: number, site: ValueSite, what: string): void {
  r.violations.add(
    start,
    `${site.rule}.wrong-type`,
    site.section,
    `${what} cannot hold a ${type} resource (C App. C Tbl C-2)`
  )
}

function integerValue(
  r: CborReader,
  n: number | bigint,
  type: ResourceType | undefined,
  start: number,
  site: ValueSite
): Value {
  const t = type === undefined ? 'integer' : type
  if (t === 'float') return { type: 'float', value: Number(n) }
  if (t === 'unsigned') {
    if (n < 0) r.violations.add(
      start,
      `${site.rule}.out-of-range`,
      site.section,
      `${n} is negative, the resource is unsigned`
    )
    return { type: n < 0 ? 'integer' : 'unsigned', value: n }
  }
  if (t === 'integer' || t === 'time') {
    if (typeof n === 'bigint' && (n < INT64_MIN || n > INT64_MAX)) {
      r.violations.add(
        start,
        `${site.rule}.out-of-range`,
        site.section,
        `${n} does not fit a signed 64-bit integer`
      )
    }
    return { type: t, value: n }
  }
  wrongType(r, type, start, site, 'an integer')
  return { type: 'integer', value: n }
}

function readTagged(r: CborReader, type: ResourceType | undefined, start: number, site: ValueSite): Value | undefined {
  const tag = r.readTag()
  let value: Value | undefined
  if (tag === 1 && r.peekMajor() <= MAJOR_NEGINT) {
    value = { type: 'time', value: r.readInt() }
  } else if (tag === 1 && r.peekByte() >= 0xf9 && r.peekByte() <= 0xfb) {
    const f = r.readFloat()
    if (!Number.isFinite(f)) r.violations.add(
      start,
      `${site.rule}.invalid-time`,
      site.section,
      'epoch time must be finite'
    )
    else if (!Number.isInteger(f)) r.violations.add(
      start,
      `${site.rule}.time-fraction`,
      site.section,
      'LwM2M Time is whole seconds; the fraction is dropped'
    )
    value = { type: 'time', value: Number.isFinite(f) ? Math.floor(f) : 0 }
  } else if (tag === 0 && r.peekMajor() === MAJOR_TEXT) {
    const s = r.readText()
    const seconds = parseRfc3339(s)
    if (seconds === null) {
      r.violations.add(
        start,
        `${site.rule}.invalid-time`,
        site.section,
        `"${s}" is not an RFC 3339 date-time (tag 0, RFC 8949 §3.4.1)`
      )
      value = { type: 'string', value: s }
    } else {
      if (!Number.isInteger(seconds)) r.violations.add(
        start,
        `${site.rule}.time-fraction`,
        site.section,
        'LwM2M Time is whole seconds; the fraction is dropped'
      )
      value = { type: 'time', value: Math.floor(seconds) }
    }
  } else {
    r.violations.add(
      start,
      `${site.rule}.unsupported-tag`,
      site.section,
      `tag ${tag} (with this content) is not an LwM2M value; only tags 0 and 1 for Time`
    )
    r.skip()
    r.leaveTag()
    return undefined
  }
  r.leaveTag()
  if (type !== undefined && type !== 'time' && value.type === 'time') {
    wrongType(r, type, start, site, 'a tagged time')
    if (type === 'integer' || type === 'unsigned') return { type, value: value.value }
  }
  return value
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/

/** RFC 3339 date-time to Unix seconds (may carry a fraction), or null. */
export function parseRfc3339(s: string): number | null {
  const m = RFC3339.exec(s)
  if (!m) return null
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number]
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null
  const ms = Date.UTC(year, month - 1, day, hour, minute, second)
  const check = new Date(ms)
  if (check.getUTCDate() !== day && second !== 60) return null
  let seconds = ms / 1000 + (m[7] ? Number(m[7]) : 0)
  const zone = m[8] as string
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1
    seconds -= sign * (Number(zone.slice(1, 3)) * 3600 + Number(zone.slice(4, 6)) * 60)
  }
  return seconds
}

/** Writes one value per Tbl C-2; Time as a plain integer (never tagged). */
export function writeCborValue(w: CborWriter, value: Value, rule: string, path: string): void {
  switch (value.type) {
    case 'string':
    case 'corelnk':
      w.text(value.value)
      return
    case 'integer':
    case 'time':
      checkInteger(value.value, INT64_MIN, INT64_MAX, rule, path)
      w.int(value.value)
      return
    case 'unsigned':
      checkInteger(value.value, 0n, UINT64_MAX, rule, path)
      w.int(value.value)
      return
    case 'float':
      w.float(value.value)
      return
    case 'boolean':
      w.bool(value.value)
      return
    case 'opaque':
      w.bytes(value.value)
      return
    case 'objlnk':
      w.text(writeObjlnkText(value.value, rule, path))
      return
    case 'none':
      w.null()
      return
  }
}

export function checkInteger(v: number | bigint, min: bigint, max: bigint, rule: string, path: string): void {
  if (typeof v === 'number' && !Number.isInteger(v)) throw new EncodeError(
    `${rule}.not-an-integer`,
    `${v} is not an integer`,
    path
  )
  const big = typeof v === 'bigint' ? v : Number.isSafeInteger(v) ? null : BigInt(v)
  if (big !== null ? big < min || big > max : v < Number(min) || v > Number(max)) {
    throw new EncodeError(`${rule}.out-of-range`, `${v} is outside ${min}..${max}`, path)
  }
}

