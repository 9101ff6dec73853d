// SPDX-License-Identifier: Apache-2.0
// Legacy OMA JSON, application/vnd.oma.lwm2m+json (11543), C §7.5.6.1 / 1.1 draft §6.4.4 (facts
// §2.4): {"bn": base name, "bt": base time, "e": [{"n", "t", "v" | "bv" | "ov" | "sv"}]}.
// A 1.1+ server must still read it and a 1.1+ client must not send it; the encoder exists for the
// simulator's 1.0 clients and for the inspector's conversions. Numbers are read from their exact
// text, so 64-bit integers survive, and typed by the model (a "v" may be Integer, Unsigned, Float
// or Time; a "sv" holds String, Corelnk or Base64 Opaque).
import { parseJson, type JsonEntry, type JsonNode } from '../../json/reader'
import type { CodecContext, ContentCodec } from '../codec'
import { CF } from '../content-format'
import type { ResourceModel } from '../model'
import { comparePaths, formatPath, parsePath, pathStartsWith, type Path } from '../path'
import type { DecodeResult, Lwm2mRecord } from '../record'
import { normalizeInteger, parseObjectLink, type Value } from '../value'
import { counted, decodeViolations } from './counted'
import { decodeBase64, encodeBase64 } from './base64'
import { assertEncodable, assertIds, guardedDecode, inInt64, inUint64, objlnkInRange, refusal, resourceOf } from './typing'
import { encodeUtf8, readUtf8 } from './utf8'

const SECTION = 'LwM2M 1.2 Core §7.5.6.1 (OMA JSON 11543)'
const VALUE_KEYS = ['v', 'bv', 'ov', 'sv'] as const
type ValueKey = (typeof VALUE_KEYS)[number]
const INTEGER = /^-?[0-9]+$/

// ---------------------------------------------------------------------------------------------
// Decoding

class JsonDecoder {
  readonly v = decodeViolations()
  readonly records: Lwm2mRecord[] = []
  private readonly seen = new Set<string>()

  constructor(private readonly ctx: CodecContext) {}

  /** Checks an object's keys: each at most once, all from `allowed`; returns them by name. */
  keys(node: JsonNode & { kind: 'object' }, allowed: readonly string[], where: string): Map<string, JsonEntry> {
    const out = new Map<string, JsonEntry>()
    for (const e of node.entries) {
      if (!allowed.includes(e.key)) {
        this.flag(e.keyOffset, 'lwm2m-json.unknown-key', `"${e.key}" is not a key of ${where}; ignored`)
      } else if (out.has(e.key)) {
        this.flag(e.keyOffset, 'lwm2m-json.duplicate-key', `"${e.key}" appears twice in ${where}; the first counts`)
      } else {
        out.set(e.key, e)
      }
    }
    return out
  }

  flag(at: number, rule: string, message: string): void {
    this.v.add(at, rule, SECTION, message)
  }

  shape(at: number, message: string): void {
    this.flag(at, 'lwm2m-json.shape', message)
  }

  root(node: JsonNode): void {
    if (node.kind !== 'object') return this.shape(node.offset, 'the payload must be a JSON object with "e"')
    const keys = this.keys(node, ['bn', 'bt', 'e'], 'the payload')
    let base: string
    const bn = keys.get('bn')?.value
    if (bn && bn.kind !== 'string') return this.shape(bn.offset, '"bn" must be a string')
    if (bn?.kind === 'string') base = bn.value
    else base = this.ctx.path ? formatPath(this.ctx.path).replace(/\/?$/, '/') : ''
    const btNode = keys.get('bt')?.value
    if (btNode && btNode.kind !== 'number') return this.shape(btNode.offset, '"bt" must be a number')
    const bt = btNode?.kind === 'number' ? Number(btNode.text) : undefined
    const e = keys.get('e')?.value
    if (!e) return this.shape(node.offset, 'the "e" array of entries is missing')
    if (e.kind !== 'array') return this.shape(e.offset, '"e" must be an array')
    for (const item of e.items) this.entry(item, base, bt)
  }

  entry(node: JsonNode, base: string, bt: number | undefined): void {
    if (node.kind !== 'object') return this.shape(node.offset, 'each entry of "e" must be an object')
    const keys = this.keys(node, ['n', 't', ...VALUE_KEYS], 'an entry')
    const present = VALUE_KEYS.filter((k) => keys.has(k))
    if (present.length !== 1) {
      this.flag(node.offset, 'lwm2m-json.value-count',
        present.length === 0 ? 'an entry has no value (v, bv, ov or sv); skipped' : `an entry has ${present.join(', ')}: one value only; skipped`)
      return
    }
    const n = keys.get('n')?.value
    if (n && n.kind !== 'string') return this.shape(n.offset, '"n" must be a string')
    const tNode = keys.get('t')?.value
    if (tNode && tNode.kind !== 'number') return this.shape(tNode.offset, '"t" must be a number')
    // The full name is bn + n, as in SenML (RFC 8428 §4.5.1): no separator is inserted.
    const name = base + (n?.kind === 'string' ? n.value : '')
    const parsed = parsePath(name)
    const at = n?.offset ?? node.offset
    if (!parsed.ok || parsed.path.length < 3) {
      this.flag(at, 'lwm2m-json.name',
        `name "${name}" is not a resource or resource instance path${parsed.ok ? '' : ': ' + parsed.reason}; skipped`)
      return
    }
    const path = parsed.path
    const key = formatPath(path)
    if (this.seen.has(key)) {
      this.flag(at, 'lwm2m-json.duplicate-path', `${key} appears twice; the first one counts`)
      return
    }
    this.seen.add(key)
    if (this.ctx.path && !pathStartsWith(path, this.ctx.path)) {
      this.flag(at, 'lwm2m-json.outside-path', `${key} is not under the request path ${formatPath(this.ctx.path)}`)
    }
    const k = present[0] as ValueKey
    const valueNode = (keys.get(k) as JsonEntry).value
    const value = this.value(k, valueNode, path)
    if (!value) return
    const t = tNode?.kind === 'number' ? Number(tNode.text) : undefined
    const time = bt === undefined && t === undefined ? undefined : (bt ?? 0) + (t ?? 0)
    this.records.push(time === undefined ? { path, value } : { path, value, time })
  }

  value(key: ValueKey, node: JsonNode, path: Path): Value | null {
    const object = this.ctx.models?.get(path[0] as number)
    const rm = resourceOf(object, path[2] as number)
    if (object && !rm) {
      this.flag(node.offset, 'lwm2m-json.unknown-resource', `resource ${String(path[2])} is not defined by object ${object.id} (${object.name})`)
    }
    if (rm && (path.length === 4) !== rm.multiple) {
      this.flag(node.offset, 'lwm2m-json.multiple-mismatch',
        `${formatPath(path)}: resource ${rm.id} (${rm.name}) is ${rm.multiple ? 'multiple: name an instance' : 'single: it has no instances'}`)
    }
    const misfit = (found: string): void => {
      this.flag(node.offset, 'lwm2m-json.value-type', `${formatPath(path)} (${rm?.name}) is ${rm?.type}, the entry holds ${found}`)
    }
    switch (key) {
      case 'v': {
        if (node.kind !== 'number') return this.fail(node, '"v" must be a number')
        return this.number(node.text, node.offset, rm, path, misfit)
      }
      case 'bv':
        if (node.kind !== 'boolean') return this.fail(node, '"bv" must be true or false')
        if (rm && rm.type !== 'boolean') misfit('a boolean')
        return { type: 'boolean', value: node.value }
      case 'ov': {
        if (node.kind !== 'string') return this.fail(node, '"ov" must be a string "OID:IID"')
        if (rm && rm.type !== 'objlnk') misfit('an objlnk')
        const l = parseObjectLink(node.value)
        if (!l) {
          this.flag(node.offset, 'lwm2m-json.value-type', `"${node.value}" is not an objlnk OID:IID; kept as a string`)
          return { type: 'string', value: node.value }
        }
        if (!objlnkInRange(l.objectId, l.instanceId)) {
          this.flag(node.offset, 'lwm2m-json.objlnk-range', `objlnk ${node.value} is neither a real instance nor the null link 65535:65535`)
        }
        return { type: 'objlnk', value: l }
      }
      case 'sv': {
        if (node.kind !== 'string') return this.fail(node, '"sv" must be a string')
        if (!rm || rm.type === 'string') return { type: 'string', value: node.value }
        if (rm.type === 'corelnk') return { type: 'corelnk', value: node.value }
        if (rm.type === 'opaque') {
          const b = decodeBase64(node.value)
          if (b.ok) return { type: 'opaque', value: b.bytes }
          this.flag(node.offset, 'lwm2m-json.value-type', `${formatPath(path)} is opaque: ${b.reason}; kept as a string`)
          return { type: 'string', value: node.value }
        }
        misfit('a string')
        return { type: 'string', value: node.value }
      }
    }
  }

  fail(node: JsonNode, message: string): null {
    this.shape(node.offset, message + '; entry skipped')
    return null
  }

  /** A "v" number typed by the model; without one, integer text is Integer and the rest Float. */
  number(text: string, at: number, rm: ResourceModel | undefined, path: Path, misfit: (found: string) => void): Value {
    const integral = INTEGER.test(text)
    const big = integral && text.length <= 24 ? BigInt(text) : null
    const n = Number(text)
    const untyped = (): Value => {
      if (big !== null && inInt64(big)) return { type: 'integer', value: normalizeInteger(big) }
      if (big !== null && inUint64(big)) return { type: 'unsigned', value: normalizeInteger(big) }
      return { type: 'float', value: n }
    }
    if (!rm) return untyped()
    switch (rm.type) {
      case 'integer':
      case 'time':
      case 'unsigned': {
        const signed = rm.type !== 'unsigned'
        // "1.0" or "1e3" name an integer too; accept them when exact.
        const exact = big ?? (Number.isSafeInteger(n) ? BigInt(n) : null)
        if (exact !== null && (signed ? inInt64(exact) : inUint64(exact))) return { type: rm.type, value: normalizeInteger(exact) }
        this.flag(at, 'lwm2m-json.value-type',
          `${formatPath(path)} (${rm.name}) is ${rm.type}: ${text.length > 40 ? text.slice(0, 40) + '…' : text} is not in its range`)
        return untyped()
      }
      case 'float':
        if (Number.isFinite(n)) return { type: 'float', value: n }
        this.flag(at, 'lwm2m-json.value-type', `${formatPath(path)}: ${text.slice(0, 40)} is beyond the 64-bit float range`)
        return { type: 'float', value: n }
      default:
        misfit('a number')
        return untyped()
    }
  }
}

function decodeLwm2mJson(bytes: Uint8Array, ctx: CodecContext): DecodeResult {
  const d = new JsonDecoder(ctx)
  const text = readUtf8(bytes, 0, bytes.length)
  if (text === null) {
    d.v.add(0, 'lwm2m-json.utf8', SECTION, 'the payload is not valid UTF-8')
    return counted([], d.v)
  }
  const parsed = parseJson(text)
  if (!parsed.ok) {
    d.v.add(parsed.offset, 'lwm2m-json.syntax', SECTION, `not JSON: ${parsed.reason} at character ${parsed.offset}`)
    return counted([], d.v)
  }
  d.root(parsed.value)
  return counted(d.records, d.v)
}

// ---------------------------------------------------------------------------------------------
// Encoding

function encodeLwm2mJson(input: readonly Lwm2mRecord[], ctx: CodecContext): Uint8Array {
  const base: Path = ctx.path ?? []
  assertIds(base, 'lwm2m-json')
  const records = [...input].sort((a, b) => comparePaths(a.path, b.path))
  let prefix: string | undefined
  const parts: string[] = []
  // One record naming the request path itself (a single resource or resource instance) is
  // written with bn = that path and no "n"; otherwise bn ends in "/" and names are relative.
  const whole = records.length === 1 && base.length >= 3 && (records[0] as Lwm2mRecord).path.length === base.length
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as Lwm2mRecord
    const path = r.path
    assertIds(path, 'lwm2m-json')
    if (r.delete) throw refusal('lwm2m-json.delete', path, ': OMA JSON cannot express a deletion')
    if (r.prefix !== undefined) {
      if (prefix !== undefined && prefix !== r.prefix) {
        throw refusal('lwm2m-json.prefix', path, ': records for two gateway prefixes cannot share one payload')
      }
      prefix = r.prefix
    }
    if (path.length < 3) throw refusal('lwm2m-json.path-depth', path, ': entries name a resource or resource instance')
    if (!pathStartsWith(path, base)) {
      throw refusal('lwm2m-json.outside-path', path, ` is not under the request path ${formatPath(base)}`)
    }
    if (i > 0 && comparePaths((records[i - 1] as Lwm2mRecord).path, path) === 0) {
      throw refusal('lwm2m-json.duplicate-path', path, ' appears twice')
    }
    if (r.value === undefined) throw refusal('lwm2m-json.value', path, ': no value to write')
    const object = ctx.models?.get(path[0] as number)
    const rm = resourceOf(object, path[2] as number)
    assertEncodable(r.value, object, rm, path, 'lwm2m-json')
    checkMultiple(rm, path)
    if (i > 0 && pathStartsWith(path, (records[i - 1] as Lwm2mRecord).path)) {
      const parent = formatPath((records[i - 1] as Lwm2mRecord).path)
      throw refusal('lwm2m-json.conflict', path, ` and ${parent}: a resource is given both as a value and with instances`)
    }
    let entry = whole ? '{' : `{"n":${JSON.stringify(path.slice(base.length).join('/'))},`
    entry += valueMember(r.value, path)
    if (r.time !== undefined) {
      if (!Number.isFinite(r.time)) throw refusal('lwm2m-json.time', path, `: time ${r.time} is not a number`)
      entry += `,"t":${jsonNumber(r.time)}`
    }
    parts.push(entry + '}')
  }
  const bn = whole ? formatPath(base) : base.length === 0 ? '/' : formatPath(base) + '/'
  return encodeUtf8(`{"bn":${JSON.stringify(bn)},"e":[${parts.join(',')}]}`)
}

function checkMultiple(rm: ResourceModel | undefined, path: Path): void {
  if (rm && rm.multiple && path.length === 3) {
    throw refusal('lwm2m-json.multiple', path, ' is a multiple resource: give its values as resource instances')
  }
  if (rm && !rm.multiple && path.length === 4) {
    throw refusal('lwm2m-json.multiple', path, `: resource ${rm.id} is single, it has no instances`)
  }
}

function jsonNumber(n: number): string {
  // "-0" is valid JSON and keeps the sign that String(-0) drops.
  return Object.is(n, -0) ? '-0' : String(n)
}

function valueMember(value: Value, path: Path): string {
  switch (value.type) {
    case 'integer':
    case 'unsigned':
    case 'time':
      return `"v":${String(value.value)}`
    case 'float':
      if (!Number.isFinite(value.value)) throw refusal('lwm2m-json.value', path, `: JSON has no ${value.value}`)
      return `"v":${jsonNumber(value.value)}`
    case 'boolean':
      return `"bv":${value.value}`
    case 'objlnk':
      return `"ov":"${value.value.objectId}:${value.value.instanceId}"`
    case 'opaque':
      return `"sv":"${encodeBase64(value.value)}"`
    case 'string':
    case 'corelnk':
      return `"sv":${JSON.stringify(value.value)}`
    case 'none':
      throw refusal('lwm2m-json.value', path, ': an executable resource has no value to write')
  }
}

export const lwm2mJsonCodec: ContentCodec = {
  format: CF.LWM2M_JSON,
  decode: guardedDecode('lwm2m-json', SECTION, decodeLwm2mJson),
  encode: encodeLwm2mJson
}
