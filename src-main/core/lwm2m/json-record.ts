// SPDX-License-Identifier: Apache-2.0
// The JSON shape of a record on the CLI and across the contract:
//   {"path": "/3/0/1", "type": "integer", "value": 3600, "prefix"?: "dev1", "time"?: 1700000000}
// Opaque is lowercase hex, Objlnk "OID:IID", Time seconds, integers JSON numbers while safe and
// decimal strings beyond, none null. Non-finite floats, which JSON has no number for, are the
// strings "NaN", "Infinity" and "-Infinity" (and -0 comes back as 0). A path-only record (composite requests) has no
// "type" and no "value"; a SenML-ETCH deletion adds "delete": true.
import { toHex } from '../bytes'
import { formatPath, parsePath } from './path'
import type { Lwm2mRecord } from './record'
import { normalizeInteger, parseObjectLink, RESOURCE_TYPES, type ResourceType, type Value } from './value'

export interface JsonRecord {
  path: string
  type?: ResourceType
  value?: string | number | boolean | null
  prefix?: string
  time?: number
  delete?: boolean
}

export type JsonRecordParse = { ok: true; record: Lwm2mRecord } | { ok: false; reason: string }

const INT64_MIN = -(1n << 63n)
const INT64_MAX = (1n << 63n) - 1n
const UINT64_MAX = (1n << 64n) - 1n
const KEYS = new Set(['path', 'type', 'value', 'prefix', 'time', 'delete'])

export function toJsonRecord(r: Lwm2mRecord): JsonRecord {
  const out: JsonRecord = { path: formatPath(r.path) }
  if (r.value !== undefined) {
    out.type = r.value.type
    out.value = jsonValue(r.value)
  }
  if (r.prefix !== undefined) out.prefix = r.prefix
  if (r.time !== undefined) out.time = r.time
  if (r.delete) out.delete = true
  return out
}

function jsonValue(v: Value): string | number | boolean | null {
  switch (v.type) {
    case 'integer':
    case 'unsigned':
    case 'time':
      return typeof v.value === 'bigint' ? (Number.isSafeInteger(Number(v.value)) ? Number(v.value) : v.value.toString()) : v.value
    case 'float':
      return Number.isFinite(v.value) ? v.value : String(v.value)
    case 'opaque':
      return toHex(v.value)
    case 'objlnk':
      return `${v.value.objectId}:${v.value.instanceId}`
    case 'string':
    case 'corelnk':
    case 'boolean':
      return v.value
    case 'none':
      return null
  }
}

/** Validates a JSON record strictly; the reason names the offending field. */
export function fromJsonRecord(json: unknown): JsonRecordParse {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('a record must be a JSON object')
  const o = json as Record<string, unknown>
  for (const k of Object.keys(o)) {
    if (!KEYS.has(k)) return fail(`"${k}" is not a record field (path, type, value, prefix, time, delete)`)
  }
  if (typeof o.path !== 'string') return fail('"path" must be a string like "/3/0/1"')
  const parsed = parsePath(o.path)
  if (!parsed.ok) return fail(`"path": ${parsed.reason}`)
  const record: { -readonly [K in keyof Lwm2mRecord]: Lwm2mRecord[K] } = { path: parsed.path }
  if ('type' in o || 'value' in o) {
    if (!('type' in o)) return fail('"type" is missing (a record with a "value" needs one)')
    if (!('value' in o)) return fail('"value" is missing (use null for type "none")')
    if (typeof o.type !== 'string' || !(RESOURCE_TYPES as readonly string[]).includes(o.type)) {
      return fail(`"type" must be one of ${RESOURCE_TYPES.join(', ')}`)
    }
    const value = parseValue(o.type as ResourceType, o.value)
    if (typeof value === 'string') return fail(`"value": ${value}`)
    record.value = value
  }
  if ('prefix' in o) {
    if (typeof o.prefix !== 'string' || !/^[^/0-9][^/]*$/.test(o.prefix)) {
      return fail('"prefix" must be a gateway prefix: text without "/", not starting with a digit')
    }
    record.prefix = o.prefix
  }
  if ('time' in o) {
    if (typeof o.time !== 'number' || !Number.isFinite(o.time)) return fail('"time" must be a number of seconds')
    record.time = o.time
  }
  if ('delete' in o) {
    if (typeof o.delete !== 'boolean') return fail('"delete" must be true or false')
    if (o.delete) record.delete = true
  }
  return { ok: true, record }
}

/** The typed value, or a string saying why `v` is not one of `type`. */
function parseValue(type: ResourceType, v: unknown): Value | string {
  switch (type) {
    case 'string':
    case 'corelnk':
      return typeof v === 'string' ? { type, value: v } : `a ${type} value must be a JSON string`
    case 'integer':
    case 'time':
    case 'unsigned': {
      const n = integer(v)
      if (n === null) return `a ${type} value must be an integer (a JSON number, or a decimal string beyond 2^53)`
      const ok = type === 'unsigned' ? n >= 0n && n <= UINT64_MAX : n >= INT64_MIN && n <= INT64_MAX
      if (!ok) return `${n} is outside the ${type === 'unsigned' ? '64-bit unsigned' : '64-bit signed'} range`
      return { type, value: normalizeInteger(n) }
    }
    case 'float':
      if (typeof v === 'number') return { type, value: v }
      if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return { type, value: Number(v) }
      return 'a float value must be a JSON number (or "NaN", "Infinity", "-Infinity")'
    case 'boolean':
      return typeof v === 'boolean' ? { type, value: v } : 'a boolean value must be true or false'
    case 'opaque': {
      if (typeof v !== 'string' || v.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(v)) {
        return 'an opaque value must be a hex string with an even number of digits'
      }
      return { type, value: fromHex(v) }
    }
    case 'objlnk': {
      const l = typeof v === 'string' ? parseObjectLink(v) : null
      if (!l) return 'an objlnk value must be "OID:IID" with ids 0..65535'
      return { type, value: l }
    }
    case 'none':
      return v === null ? { type, value: null } : 'a none value must be null'
  }
}

/** A JSON integer: a safe integer number, or a decimal string (for values beyond 2^53). */
function integer(v: unknown): bigint | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : null
  if (typeof v === 'string' && /^-?(0|[1-9][0-9]{0,19})$/.test(v)) return BigInt(v)
  return null
}

function fail(reason: string): JsonRecordParse {
  return { ok: false, reason }
}

function fromHex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16)
  return out
}
