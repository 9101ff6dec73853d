// SPDX-License-Identifier: Apache-2.0
// What the model says a value must be (C App. C Tbl C-1), shared by the codecs whose payloads
// carry no types (TLV, text, legacy JSON numbers) and by every encoder that must refuse values.
import { EncodeError, type ContentCodec } from '../codec'
import type { ObjectModel, ResourceModel } from '../model'
import { formatPath, type Path } from '../path'
import type { Value } from '../value'
import { ViolationList } from '../../violation'

export const INT64_MIN = -(1n << 63n)
export const INT64_MAX = (1n << 63n) - 1n
export const UINT64_MAX = (1n << 64n) - 1n

/** The resource `id` of `model` (resources are sorted by id, so a binary search). */
export function resourceOf(model: ObjectModel | undefined, id: number): ResourceModel | undefined {
  if (!model) return undefined
  const list = model.resources
  let lo = 0
  let hi = list.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const r = list[mid] as ResourceModel
    if (r.id === id) return r
    if (r.id < id) lo = mid + 1
    else hi = mid - 1
  }
  // A hand-written model may be unsorted: fall back to a scan rather than miss the resource.
  return list.find((r) => r.id === id)
}

/**
 * Objlnk ids are 16-bit; 65535 is MAX_ID, so a link names a real instance (both < 65535) or is
 * the null link 65535:65535 (C App. C Tbl C-1).
 */
export function objlnkInRange(objectId: number, instanceId: number): boolean {
  const ok = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 65535
  if (!ok(objectId) || !ok(instanceId)) return false
  return (objectId === 65535) === (instanceId === 65535)
}

export function inInt64(v: number | bigint): boolean {
  if (typeof v === 'number') return Number.isSafeInteger(v)
  return v >= INT64_MIN && v <= INT64_MAX
}

export function inUint64(v: number | bigint): boolean {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0
  return v >= 0n && v <= UINT64_MAX
}

/** Why `value` is not a well-formed value of its own type, or null when it is. */
export function valueShapeProblem(value: Value): string | null {
  const v: unknown = value.value
  switch (value.type) {
    case 'string':
    case 'corelnk':
      return typeof v === 'string' ? null : `a ${value.type} value must be a string`
    case 'integer':
    case 'time':
      if (typeof v !== 'number' && typeof v !== 'bigint') return `a ${value.type} value must be a number or bigint`
      if (typeof v === 'number' && !Number.isSafeInteger(v)) return `${v} is not a safe integer (use a bigint)`
      return inInt64(v) ? null : `${String(v)} is not a 64-bit signed integer`
    case 'unsigned':
      if (typeof v !== 'number' && typeof v !== 'bigint') return 'an unsigned value must be a number or bigint'
      return inUint64(v) ? null : `${String(v)} is not a 64-bit unsigned integer`
    case 'float':
      return typeof v === 'number' ? null : 'a float value must be a number'
    case 'boolean':
      return typeof v === 'boolean' ? null : 'a boolean value must be true or false'
    case 'opaque':
      return v instanceof Uint8Array ? null : 'an opaque value must be a Uint8Array'
    case 'objlnk': {
      const l = v as { objectId?: unknown; instanceId?: unknown } | null
      if (typeof l !== 'object' || l === null) return 'an objlnk value must be {objectId, instanceId}'
      return objlnkInRange(l.objectId as number, l.instanceId as number)
        ? null
        : `objlnk ${String(l.objectId)}:${String(l.instanceId)} is out of range (ids < 65535, or the null link 65535:65535)`
    }
    case 'none':
      return v === null ? null : 'a none value must be null'
    default:
      return `unknown value type "${String((value as { type: unknown }).type)}"`
  }
}

/**
 * Throws EncodeError unless `value` may be written for this resource: a known object model must
 * define the resource, and its type must be the model's; without a model any well-formed value goes.
 */
export function assertEncodable(
  value: Value,
  object: ObjectModel | undefined,
  resource: ResourceModel | undefined,
  path: Path,
  rules: string
): void {
  if (object && !resource) {
    const where = formatPath(path)
    throw new EncodeError(`${rules}.unknown-resource`, `${where} is not a resource of object ${object.id} (${object.name})`, where)
  }
  if (resource && value.type !== resource.type) {
    const where = formatPath(path)
    throw new EncodeError(`${rules}.type-mismatch`, `${where} (${resource.name}) is ${resource.type}, not ${value.type}`, where)
  }
  // The common values pass without building a message (encoders run this once per record).
  if (isPlainWellFormed(value)) return
  const problem = valueShapeProblem(value)
  if (problem) {
    const where = formatPath(path)
    throw new EncodeError(`${rules}.value`, `${where}: ${problem}`, where)
  }
}

/** The common well-formed values, checked without building messages. */
function isPlainWellFormed(value: Value): boolean {
  const v = value.value
  switch (value.type) {
    case 'string':
    case 'corelnk':
      return typeof v === 'string'
    case 'integer':
    case 'time':
      return typeof v === 'number' ? Number.isSafeInteger(v) : false
    case 'unsigned':
      return typeof v === 'number' ? Number.isSafeInteger(v) && v >= 0 : false
    case 'float':
      return typeof v === 'number'
    case 'boolean':
      return typeof v === 'boolean'
    case 'opaque':
      return v instanceof Uint8Array
    default:
      return false
  }
}

/** Throws EncodeError unless every id of `path` is a usable id 0..65534. */
export function assertIds(path: readonly number[], rules: string): void {
  for (let i = 0; i < path.length; i++) {
    const id = path[i] as number
    if (!(id >= 0 && id <= 65534 && Number.isInteger(id))) {
      const where = formatPath(path as Path)
      throw new EncodeError(`${rules}.id`, `${where}: id ${String(id)} is not 0..65534`, where)
    }
  }
}

/** An EncodeError about `path`; `text` follows the formatted path (": why" or " is ..."). */
export function refusal(rule: string, path: Path, text: string): EncodeError {
  const where = formatPath(path)
  return new EncodeError(rule, where + text, where)
}

/**
 * `decode` made total: a throw (a decoder bug; the decoders are fuzzed against it) becomes one
 * `<rules>.internal` violation, so that a bug shows as a violation and not as a crash.
 */
export function guardedDecode(rules: string, section: string, decode: ContentCodec['decode']): ContentCodec['decode'] {
  return (bytes, ctx) => {
    try {
      return decode(bytes, ctx)
    } catch (e) {
      const v = new ViolationList()
      v.add(0, `${rules}.internal`, section, `decoder fault: ${e instanceof Error ? e.message : String(e)}`)
      return { records: [], violations: v.items }
    }
  }
}
