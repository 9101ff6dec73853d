// SPDX-License-Identifier: Apache-2.0
// text/plain (0): one resource or resource instance value, typed by the model (C §7.5,
// Tbl C-2; facts §2.6). Integers, Unsigned and Time are ASCII decimal, Float is decimal (read with
// or without exponent, written without), Boolean is 0/1, Opaque is Base64, Objlnk is "OID:IID".
// Without a model the text is a string value. A payload that does not parse as its type is kept
// as a string value, with a violation that says why.
import { EncodeError, type CodecContext, type ContentCodec } from '../codec'
import { CF } from '../content-format'
import { formatPlainDecimal } from '../decimal'
import type { ResourceModel } from '../model'
import { formatPath, type Path } from '../path'
import type { DecodeResult, Lwm2mRecord } from '../record'
import { normalizeInteger, parseObjectLink, type Value } from '../value'
import { ViolationList } from '../../violation'
import { decodeBase64, encodeBase64 } from './base64'
import { assertEncodable, assertIds, guardedDecode, inInt64, inUint64, objlnkInRange, refusal, resourceOf } from './typing'
import { encodeUtf8, readUtf8, utf8Length } from './utf8'

const SECTION = 'LwM2M 1.2 Core §7.5, App. C Tbl C-2'

const INTEGER = /^-?[0-9]+$/
const UNSIGNED = /^[0-9]+$/
// Decimal with optional fraction and exponent ("22.5", "-.5", "6.667e-11", "1E3").
const FLOAT = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/

function decodeText(bytes: Uint8Array, ctx: CodecContext): DecodeResult {
  const v = new ViolationList()
  const path = ctx.path
  if (!path || path.length < 3) {
    v.add(0, 'text.path', SECTION, 'plain text carries one resource or resource instance value; the request path names none')
    return { records: [], violations: v.items }
  }
  let text = readUtf8(bytes, 0, bytes.length)
  if (text === null) {
    v.add(0, 'text.utf8', SECTION, 'the payload is not valid UTF-8')
    text = new TextDecoder('utf-8').decode(bytes)
  }
  const object = ctx.models?.get(path[0] as number)
  const rm = resourceOf(object, path[2] as number)
  if (object && !rm) {
    v.add(0, 'text.unknown-resource', SECTION, `resource ${String(path[2])} is not defined by object ${object.id} (${object.name}); read as a string`)
  }
  if (rm && path.length === 4 && !rm.multiple) {
    v.add(0, 'text.multiple-mismatch', SECTION, `${formatPath(path)}: resource ${rm.id} (${rm.name}) is single, it has no instances`)
  }
  const value = rm ? typed(text, rm, path, v) : ({ type: 'string', value: text } as const)
  return { records: [{ path, value }], violations: v.items }
}

/** `text` as the model's type; a string value plus a violation when it does not parse. */
function typed(text: string, rm: ResourceModel, path: Path, v: ViolationList): Value {
  const fail = (why: string): Value => {
    v.add(0, 'text.value-type', SECTION, `${formatPath(path)} (${rm.name}) is ${rm.type}: ${why}; kept as a string`)
    return { type: 'string', value: text }
  }
  switch (rm.type) {
    case 'integer':
    case 'time': {
      if (!INTEGER.test(text)) return fail(`"${clip(text)}" is not a decimal integer`)
      // 20 characters hold any int64; longer digit runs need no BigInt to be out of range.
      const n = text.length <= 24 ? BigInt(text) : 1n << 64n
      if (!inInt64(n)) return fail(`${clip(text)} is outside the 64-bit signed range`)
      return { type: rm.type, value: normalizeInteger(n) }
    }
    case 'unsigned': {
      if (!UNSIGNED.test(text)) return fail(`"${clip(text)}" is not an unsigned decimal integer`)
      const n = text.length <= 24 ? BigInt(text) : 1n << 64n
      if (!inUint64(n)) return fail(`${clip(text)} is outside the 64-bit unsigned range`)
      return { type: 'unsigned', value: normalizeInteger(n) }
    }
    case 'float': {
      if (!FLOAT.test(text)) return fail(`"${clip(text)}" is not a decimal number`)
      const n = Number(text)
      if (!Number.isFinite(n)) return fail(`${clip(text)} is outside the 64-bit float range`)
      return { type: 'float', value: n }
    }
    case 'boolean':
      if (text === '0' || text === '1') return { type: 'boolean', value: text === '1' }
      return fail(`"${clip(text)}" is neither 0 nor 1`)
    case 'opaque': {
      // Standard Base64 with padding is what the spec writes; unpadded or url-safe is accepted.
      const b = decodeBase64(text)
      if (!b.ok) {
        v.add(b.offset, 'text.value-type', SECTION, `${formatPath(path)} (${rm.name}) is opaque: ${b.reason}; kept as a string`)
        return { type: 'string', value: text }
      }
      return { type: 'opaque', value: b.bytes }
    }
    case 'objlnk': {
      const l = parseObjectLink(text)
      if (!l) return fail(`"${clip(text)}" is not OID:IID`)
      if (!objlnkInRange(l.objectId, l.instanceId)) {
        v.add(0, 'text.objlnk-range', SECTION, `${formatPath(path)}: objlnk ${text} is neither a real instance nor the null link 65535:65535`)
      }
      return { type: 'objlnk', value: l }
    }
    case 'string':
    case 'corelnk':
      return { type: rm.type, value: text }
    case 'none':
      // Execute arguments (e.g. `0='U'`, facts §1) travel as text on an executable resource: not a value.
      return text === '' ? { type: 'none', value: null } : { type: 'string', value: text }
  }
}

function clip(s: string): string {
  return s.length > 40 ? s.slice(0, 40) + '…' : s
}

function encodeText(records: readonly Lwm2mRecord[], ctx: CodecContext): Uint8Array {
  if (records.length !== 1) {
    throw new EncodeError('text.count', `plain text carries exactly one value, not ${records.length}`)
  }
  const r = records[0] as Lwm2mRecord
  const path = r.path
  const where = formatPath(path)
  assertIds(path, 'text')
  if (path.length < 3) throw refusal('text.path', path, ': plain text needs a resource or resource instance path')
  if (ctx.path && formatPath(ctx.path) !== where) {
    throw refusal('text.outside-path', path, ` is not the request path ${formatPath(ctx.path)}`)
  }
  if (r.value === undefined) throw refusal('text.value', path, ': no value to write')
  const value = r.value
  const object = ctx.models?.get(path[0] as number)
  const rm = resourceOf(object, path[2] as number)
  assertEncodable(value, object, rm, path, 'text')
  if (rm && path.length === 4 && !rm.multiple) {
    throw refusal('text.multiple', path, `: resource ${rm.id} (${rm.name}) is single, it has no instances`)
  }
  const text = valueText(value, path)
  if (utf8Length(text) < 0) throw refusal('text.value', path, ': the string holds a lone surrogate, which UTF-8 cannot carry')
  return encodeUtf8(text)
}

/** The text form of a well-formed value (C Tbl C-2). */
export function valueText(value: Value, path: Path = []): string {
  switch (value.type) {
    case 'integer':
    case 'unsigned':
    case 'time':
      return String(value.value)
    case 'float':
      if (!Number.isFinite(value.value)) {
        throw refusal('text.value', path, `: ${value.value} has no decimal form`)
      }
      return formatPlainDecimal(value.value)
    case 'boolean':
      return value.value ? '1' : '0'
    case 'opaque':
      return encodeBase64(value.value)
    case 'objlnk':
      return `${value.value.objectId}:${value.value.instanceId}`
    case 'string':
    case 'corelnk':
      return value.value
    case 'none':
      return ''
  }
}

export const textCodec: ContentCodec = {
  format: CF.TEXT,
  decode: guardedDecode('text', SECTION, decodeText),
  encode: encodeText
}
