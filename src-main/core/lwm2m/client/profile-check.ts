// SPDX-License-Identifier: Apache-2.0
// Checks a simulator profile as a person wrote it (docs/simulator-profile.md) against the object
// models, and turns its values into typed Values. Total: any JSON comes back as problems, never as
// an exception, because profiles arrive from files and the UI. Every problem names where it is as
// a JSON pointer into the document ("/objects/2/instances/0/resources/5700") so an editor can
// point at it; the message names the LwM2M path where there is one.
import { isValidId, type ResourceId } from '../ids'
import { findResource, type ModelLookup, type ObjectModel, type ResourceModel } from '../model'
import { parsePath } from '../path'
import { normalizeInteger, parseObjectLink, type ResourceType, type Value } from '../value'
import { INT64_MAX, INT64_MIN, UINT64_MAX, objlnkInRange } from '../formats/typing'
import { parseBase64, parseHex } from '../../psk-entry'
import { generatedValue, generatorValue } from './generators'
import type { Generator, Profile, ProfileInstance } from './profile'

export interface ProfileProblem {
  /** JSON pointer (RFC 6901) to the offending member; "" for the whole document. */
  readonly path: string
  readonly message: string
}

export interface ProfileCheck {
  /** The profile when there are no problems, else null. */
  readonly profile: Profile | null
  readonly problems: ProfileProblem[]
}

const VERSIONS = ['1.0', '1.1', '1.2']
const FORMATS = ['tlv', 'senml-json', 'senml-cbor', 'lwm2m-cbor']
const OPERATIONS = ['read', 'write', 'execute', 'create', 'delete', 'observe', 'discover', 'write-attributes']
const DIRECTIONS = ['in', 'out', 'both']
const NUMERIC: readonly ResourceType[] = ['integer', 'unsigned', 'float']

/** The fields each generator kind takes, besides `kind`. */
const GENERATOR_FIELDS: Record<Generator['kind'], readonly string[]> = {
  sine: ['min', 'max', 'periodSeconds'],
  walk: ['min', 'max', 'step'],
  toggle: ['everySeconds'],
  counter: ['step', 'everySeconds'],
  clock: []
}

/** The fields each fault kind takes, besides `kind`; required ones first, then optional. */
const FAULT_FIELDS: Record<string, { required: readonly string[]; optional: readonly string[] }> = {
  drop: { required: ['share'], optional: ['direction'] },
  delay: { required: ['share', 'ms'], optional: [] },
  error: { required: ['path', 'code'], optional: ['operation'] },
  malformed: { required: ['share'], optional: ['path'] },
  silent: { required: [], optional: [] }
}

type Json = Record<string, unknown>

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function has(o: Json, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key)
}

/** JSON pointer from members (RFC 6901 §4: "~" is "~0", "/" is "~1"). */
export function jsonPointer(parts: readonly (string | number)[]): string {
  return parts.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('')
}

/** A decimal id written as a JSON key ("5700"), or null. */
function idKey(key: string): number | null {
  if (!/^(0|[1-9][0-9]{0,4})$/.test(key)) return null
  const n = Number(key)
  return isValidId(n) ? n : null
}

/** A CoAP error code as a profile spells it: class 4 or 5, detail 00..31 ("4.05", "5.00"). */
export function isErrorCode(v: unknown): v is string {
  return typeof v === 'string' && /^[45]\.(0[0-9]|[12][0-9]|3[01])$/.test(v)
}

class Checker {
  readonly problems: ProfileProblem[] = []

  constructor(private readonly models: ModelLookup) {}

  add(at: readonly (string | number)[], message: string): void {
    this.problems.push({ path: jsonPointer(at), message })
  }

  /** Reports members of `o` not in `allowed`: a typo would otherwise be ignored silently. */
  onlyFields(o: Json, allowed: readonly string[], at: readonly (string | number)[], what: string): void {
    for (const key of Object.keys(o)) {
      if (!allowed.includes(key)) this.add([...at, key], `${what} has no field "${key}" (it has ${allowed.map((k) => `"${k}"`).join(', ')})`)
    }
  }

  profile(raw: unknown): void {
    if (!isObject(raw)) {
      this.add([], 'a profile is a JSON object with at least "name" and "objects"')
      return
    }
    this.onlyFields(raw, ['name', 'description', 'lwm2mVersion', 'format', 'lifetime', 'queueMode', 'objects', 'refuse', 'faults'], [], 'a profile')
    if (typeof raw.name !== 'string' || raw.name.trim() === '') this.add(['name'], '"name" must be a non-empty string')
    if (has(raw, 'description') && typeof raw.description !== 'string') this.add(['description'], '"description" must be a string')
    if (has(raw, 'lwm2mVersion') && !VERSIONS.includes(raw.lwm2mVersion as string)) {
      this.add(['lwm2mVersion'], `"lwm2mVersion" must be one of ${VERSIONS.map((v) => `"${v}"`).join(', ')} (a string)`)
    }
    if (has(raw, 'format')) this.format(raw.format, raw.lwm2mVersion)
    if (has(raw, 'lifetime') && !(Number.isSafeInteger(raw.lifetime) && (raw.lifetime as number) >= 1)) {
      this.add(['lifetime'], '"lifetime" must be a whole number of seconds, 1 or more')
    }
    if (has(raw, 'queueMode')) this.queueMode(raw.queueMode)
    if (!Array.isArray(raw.objects)) this.add(['objects'], '"objects" must be an array (it may be empty)')
    else this.objects(raw.objects)
    if (has(raw, 'refuse')) {
      if (!Array.isArray(raw.refuse)) this.add(['refuse'], '"refuse" must be an array')
      else raw.refuse.forEach((r, i) => this.refusal(r, ['refuse', i]))
    }
    if (has(raw, 'faults')) {
      if (!Array.isArray(raw.faults)) this.add(['faults'], '"faults" must be an array')
      else raw.faults.forEach((f, i) => this.fault(f, ['faults', i]))
    }
  }

  format(format: unknown, version: unknown): void {
    if (!FORMATS.includes(format as string)) {
      this.add(['format'], `"format" must be one of ${FORMATS.map((f) => `"${f}"`).join(', ')}`)
      return
    }
    // Facts §2.1: SenML came with LwM2M 1.1, LwM2M CBOR with 1.2.
    if (format === 'lwm2m-cbor' && (version === '1.0' || version === '1.1')) {
      this.add(['format'], `LwM2M CBOR (11544) exists only in LwM2M 1.2; this profile is ${version}`)
    } else if ((format === 'senml-json' || format === 'senml-cbor') && version === '1.0') {
      this.add(['format'], 'SenML formats exist only from LwM2M 1.1; this profile is 1.0 (use "tlv")')
    }
  }

  queueMode(q: unknown): void {
    if (typeof q === 'boolean') return
    if (!isObject(q)) {
      this.add(['queueMode'], '"queueMode" must be true, false or { "awakeSeconds": n }')
      return
    }
    this.onlyFields(q, ['awakeSeconds'], ['queueMode'], '"queueMode"')
    if (!positive(q.awakeSeconds)) this.add(['queueMode', 'awakeSeconds'], '"awakeSeconds" must be a number of seconds above 0')
  }

  objects(list: readonly unknown[]): void {
    const seen = new Set<number>()
    list.forEach((o, i) => {
      const at = ['objects', i]
      if (!isObject(o)) {
        this.add(at, 'an object entry is { "id": n, "instances": [...] }')
        return
      }
      this.onlyFields(o, ['id', 'version', 'instances'], at, 'an object entry')
      if (!isId(o.id)) {
        this.add([...at, 'id'], '"id" must be an object id 0..65534')
        return
      }
      const id = o.id
      if (id === 0 || id === 1) {
        this.add([...at, 'id'], `/${id} (${id === 0 ? 'Security' : 'Server'}) is not part of a profile: it comes from the command line or from bootstrap`)
        return
      }
      if (seen.has(id)) this.add([...at, 'id'], `object ${id} is listed twice; put all its instances in one entry`)
      seen.add(id)
      let version: string | undefined
      if (has(o, 'version')) {
        if (typeof o.version !== 'string' || !/^[0-9]+\.[0-9]+$/.test(o.version)) {
          this.add([...at, 'version'], '"version" must be "MAJOR.MINOR", e.g. "1.1"')
        } else version = o.version
      }
      const model = this.models.get(id, version)
      if (!model) {
        this.add([...at, 'id'], `object ${id} has no model: add its DDF to the model library, or leave the object out`)
        return
      }
      if (version !== undefined && model.version !== version) {
        this.add([...at, 'version'], `there is no model of object ${id} (${model.name}) at version ${version}; the newest known is ${model.version}`)
        return
      }
      if (!Array.isArray(o.instances)) {
        this.add([...at, 'instances'], '"instances" must be an array (it may be empty)')
        return
      }
      this.instances(o.instances, model, [...at, 'instances'])
    })
  }

  instances(list: readonly unknown[], model: ObjectModel, at: readonly (string | number)[]): void {
    const seen = new Set<number>()
    if (!model.multiple && list.length > 1) {
      this.add(at, `object ${model.id} (${model.name}) is single-instance; it has ${list.length} instances here`)
    }
    list.forEach((inst, i) => {
      const here = [...at, i]
      if (!isObject(inst)) {
        this.add(here, 'an instance is { "id": n, "resources": { ... } }')
        return
      }
      this.onlyFields(inst, ['id', 'resources'], here, 'an instance')
      if (!isId(inst.id)) {
        this.add([...here, 'id'], '"id" must be an instance id 0..65534')
      } else {
        if (seen.has(inst.id)) this.add([...here, 'id'], `instance /${model.id}/${inst.id} is listed twice`)
        seen.add(inst.id)
        if (!model.multiple && inst.id !== 0) {
          this.add([...here, 'id'], `object ${model.id} (${model.name}) is single-instance: its instance is 0, not ${inst.id}`)
        }
      }
      if (!isObject(inst.resources)) {
        this.add([...here, 'resources'], '"resources" must be an object keyed by resource id (it may be empty)')
        return
      }
      const iid = isId(inst.id) ? inst.id : i
      for (const [key, value] of Object.entries(inst.resources)) {
        const rat = [...here, 'resources', key]
        const rid = idKey(key)
        if (rid === null) {
          this.add(rat, `"${key}" is not a resource id (a decimal 0..65534)`)
          continue
        }
        const rm = findResource(model, rid)
        if (!rm) {
          this.add(rat, `object ${model.id} (${model.name} ${model.version}) has no resource ${rid}`)
          continue
        }
        this.value(value, rm, `/${model.id}/${iid}/${rid}`, rat)
      }
    })
  }

  value(v: unknown, rm: ResourceModel, where: string, at: readonly (string | number)[]): void {
    const name = `${where} (${rm.name})`
    if (isObject(v) && has(v, 'generator')) {
      this.generated(v, rm, name, at)
      return
    }
    if (rm.type === 'none') {
      this.add(at, `${name} is executable and holds no value; leave it out`)
      return
    }
    const keyed = isObject(v) && !isOpaqueSpelling(v)
    if (rm.multiple) {
      if (Array.isArray(v)) v.forEach((x, i) => this.scalar(x, rm, `${where}/${i}`, [...at, i]))
      else if (keyed) {
        for (const [key, x] of Object.entries(v)) {
          if (idKey(key) === null) this.add([...at, key], `"${key}" is not a resource instance id (a decimal 0..65534)`)
          else this.scalar(x, rm, `${where}/${key}`, [...at, key])
        }
      } else this.add(at, `${name} is a multiple resource: give an array, or an object keyed by instance id`)
      return
    }
    if (Array.isArray(v) || keyed) {
      this.add(at, `${name} is a single resource: give one ${rm.type} value, not ${Array.isArray(v) ? 'an array' : 'an object'}`)
      return
    }
    this.scalar(v, rm, where, at)
  }

  scalar(v: unknown, rm: ResourceModel, where: string, at: readonly (string | number)[]): void {
    const r = scalarValue(rm.type, v)
    if (typeof r === 'string') {
      this.add(at, `${where} (${rm.name}) is ${rm.type}: ${r}`)
      return
    }
    const n = r.type === 'integer' || r.type === 'unsigned' || r.type === 'float' ? Number(r.value) : null
    const ranges = n === null ? null : ddfRange(rm.range)
    if (n !== null && ranges && !inRanges(n, ranges)) {
      this.add(at, `${where} (${rm.name}): ${n} is outside its range ${rm.range}`)
    }
  }

  generated(v: Json, rm: ResourceModel, name: string, at: readonly (string | number)[]): void {
    this.onlyFields(v, ['generator', 'intervalSeconds'], at, 'a generated value')
    if (has(v, 'intervalSeconds') && !positive(v.intervalSeconds)) {
      this.add([...at, 'intervalSeconds'], '"intervalSeconds" must be a number of seconds above 0')
    }
    const gat = [...at, 'generator']
    const g = v.generator
    if (!isObject(g) || typeof g.kind !== 'string' || !has(GENERATOR_FIELDS, g.kind)) {
      this.add(gat, `"generator" must be an object whose "kind" is one of ${Object.keys(GENERATOR_FIELDS).map((k) => `"${k}"`).join(', ')}`)
      return
    }
    const kind = g.kind as Generator['kind']
    this.onlyFields(g, ['kind', ...GENERATOR_FIELDS[kind]], gat, `a "${kind}" generator`)
    if (rm.multiple) {
      this.add(at, `${name} is a multiple resource; generators drive single resources only`)
      return
    }
    // Which kinds fit which types: numbers move, Booleans flip, Time follows the clock.
    const fits =
      kind === 'toggle' ? rm.type === 'boolean' : kind === 'clock' ? rm.type === 'time' : NUMERIC.includes(rm.type)
    if (!fits) {
      const wants = kind === 'toggle' ? 'a Boolean' : kind === 'clock' ? 'a Time' : 'an Integer, Unsigned Integer or Float'
      this.add([...gat, 'kind'], `${name} is ${rm.type}: a "${kind}" generator needs ${wants} resource`)
      return
    }
    const num = (key: string, ok: (n: number) => boolean, rule: string): number | null => {
      const n = g[key]
      if (typeof n === 'number' && Number.isFinite(n) && ok(n)) return n
      this.add([...gat, key], `"${key}" must be ${rule}`)
      return null
    }
    const integral = rm.type !== 'float'
    switch (kind) {
      case 'sine':
      case 'walk': {
        const min = num('min', () => true, 'a number')
        const max = num('max', () => true, 'a number')
        if (kind === 'sine') num('periodSeconds', (n) => n > 0, 'a number of seconds above 0')
        else num('step', (n) => n > 0, 'a number above 0')
        if (min !== null && max !== null) {
          if (min > max) this.add([...gat, 'max'], `"max" (${max}) is below "min" (${min})`)
          const ranges = ddfRange(rm.range)
          for (const [key, n] of [['min', min], ['max', max]] as const) {
            if (ranges && !inRanges(n, ranges)) this.add([...gat, key], `${name}: ${n} is outside its range ${rm.range}`)
            else if (rm.type === 'unsigned' && n < 0) this.add([...gat, key], `${name} is unsigned: ${n} is below 0`)
          }
        }
        break
      }
      case 'toggle':
        num('everySeconds', (n) => n > 0, 'a number of seconds above 0')
        break
      case 'counter':
        num('step', (n) => !integral || Number.isSafeInteger(n), integral ? `a whole number (${name} is ${rm.type})` : 'a number')
        num('everySeconds', (n) => n > 0, 'a number of seconds above 0')
        break
      case 'clock':
        break
    }
  }

  /** A path as refusals and faults spell it, with an object that has a model. */
  lwm2mPath(v: unknown, at: readonly (string | number)[]): readonly number[] | null {
    if (typeof v !== 'string') {
      this.add(at, '"path" must be an LwM2M path such as "/3303" or "/3/0/13"')
      return null
    }
    const p = parsePath(v)
    if (!p.ok) {
      this.add(at, `"path": ${p.reason}`)
      return null
    }
    const path = p.path
    if (path.length === 0) return path
    const model = this.models.get(path[0] as number)
    if (!model) {
      this.add(at, `object ${path[0]} has no model`)
      return null
    }
    if (path.length >= 3) {
      const rm = findResource(model, path[2] as number)
      if (!rm) this.add(at, `object ${model.id} (${model.name}) has no resource ${path[2]}`)
      else if (path.length === 4 && !rm.multiple) this.add(at, `${v}: resource ${rm.id} (${rm.name}) is single and has no instances`)
    }
    return path
  }

  refusal(r: unknown, at: readonly (string | number)[]): void {
    if (!isObject(r)) {
      this.add(at, 'a refusal is { "operation": "create", "path": "/3303", "code": "4.05" }')
      return
    }
    this.onlyFields(r, ['operation', 'path', 'code'], at, 'a refusal')
    const opOk = this.operation(r.operation, [...at, 'operation'], true)
    const path = this.lwm2mPath(r.path, [...at, 'path'])
    // Create is POST /O (C §6.3.7): a refusal deeper than the object would never apply.
    if (opOk && r.operation === 'create' && path && path.length > 1) {
      this.add([...at, 'path'], `Create targets an object (/O); "${String(r.path)}" would never be refused`)
    }
    this.code(r.code, [...at, 'code'])
  }

  operation(v: unknown, at: readonly (string | number)[], required: boolean): boolean {
    if (OPERATIONS.includes(v as string)) return true
    this.add(at, `"operation" must be one of ${OPERATIONS.map((o) => `"${o}"`).join(', ')}${required ? '' : ', or left out'}`)
    return false
  }

  code(v: unknown, at: readonly (string | number)[]): void {
    if (!isErrorCode(v)) this.add(at, '"code" must be a CoAP error code of class 4 or 5 as "4.05" or "5.00"')
  }

  fault(f: unknown, at: readonly (string | number)[]): void {
    if (!isObject(f) || typeof f.kind !== 'string' || !has(FAULT_FIELDS, f.kind)) {
      this.add(at, `a fault is an object whose "kind" is one of ${Object.keys(FAULT_FIELDS).map((k) => `"${k}"`).join(', ')}`)
      return
    }
    const fields = FAULT_FIELDS[f.kind] as (typeof FAULT_FIELDS)[string]
    this.onlyFields(f, ['kind', ...fields.required, ...fields.optional], at, `a "${f.kind}" fault`)
    for (const key of fields.required) if (!has(f, key)) this.add([...at, key], `a "${f.kind}" fault needs "${key}"`)
    if (has(f, 'share') && !(typeof f.share === 'number' && f.share >= 0 && f.share <= 1)) {
      this.add([...at, 'share'], '"share" must be a number from 0 to 1 (the part of messages affected)')
    }
    if (has(f, 'direction') && !DIRECTIONS.includes(f.direction as string)) {
      this.add([...at, 'direction'], '"direction" must be "in", "out" or "both"')
    }
    if (has(f, 'ms') && !(typeof f.ms === 'number' && Number.isFinite(f.ms) && f.ms >= 0)) {
      this.add([...at, 'ms'], '"ms" must be a number of milliseconds, 0 or more')
    }
    if (has(f, 'path')) this.lwm2mPath(f.path, [...at, 'path'])
    if (has(f, 'code')) this.code(f.code, [...at, 'code'])
    if (has(f, 'operation')) this.operation(f.operation, [...at, 'operation'], false)
  }
}

function isId(v: unknown): v is number {
  return typeof v === 'number' && isValidId(v)
}

function positive(v: unknown): boolean {
  return typeof v === 'number' && Number.isFinite(v) && v > 0
}

/** `{ "hex": "…" }` or `{ "base64": "…" }`: an Opaque value, not a keyed multiple resource. */
function isOpaqueSpelling(o: Json): boolean {
  const keys = Object.keys(o)
  return keys.length === 1 && (keys[0] === 'hex' || keys[0] === 'base64')
}

/**
 * The numeric ranges a DDF <RangeEnumeration> states ("0..100", "0-7", "1...15", "0..3, 99",
 * "0; 3.8..20.5"), or null when it states none we can read for sure. The registry's spellings
 * vary ("8 bit", "2 Instances", a lone "255" that may be a maximum or a length), so anything
 * unclear is not checked rather than checked wrongly.
 */
export function ddfRange(range: string): readonly (readonly [number, number])[] | null {
  const text = range.trim()
  if (text === '') return null
  const parts = text.split(/[,;]/).map((s) => s.trim())
  const NUM = '(-?[0-9]+(?:\\.[0-9]+)?)'
  const span = new RegExp(`^${NUM}\\s*(?:\\.{2,3}|-)\\s*${NUM}$`)
  const single = new RegExp(`^${NUM}$`)
  const out: (readonly [number, number])[] = []
  for (const p of parts) {
    const m = span.exec(p)
    if (m) {
      const lo = Number(m[1])
      const hi = Number(m[2])
      if (lo > hi) return null
      out.push([lo, hi])
      continue
    }
    // A lone number counts only inside a list ("0,1,2"); alone it is ambiguous.
    const s = parts.length > 1 ? single.exec(p) : null
    if (!s) return null
    out.push([Number(s[1]), Number(s[1])])
  }
  return out
}

function inRanges(n: number, ranges: readonly (readonly [number, number])[]): boolean {
  return ranges.some(([lo, hi]) => n >= lo && n <= hi)
}

/**
 * A person-written scalar as a Value of `type` (docs/simulator-profile.md, "Values"), or why it
 * is not one. Integers may be written as decimal strings beyond 2^53.
 */
export function scalarValue(type: ResourceType, v: unknown): Value | string {
  switch (type) {
    case 'string':
    case 'corelnk':
      return typeof v === 'string' ? { type, value: v } : 'write it as a JSON string'
    case 'integer':
    case 'unsigned':
    case 'time': {
      let n: bigint
      if (typeof v === 'number' && Number.isSafeInteger(v)) n = BigInt(v)
      else if (typeof v === 'string' && /^-?[0-9]{1,20}$/.test(v)) n = BigInt(v)
      else return `write a whole number${type === 'time' ? ' of seconds since 1970 (Unix time)' : ''}, not ${describe(v)}`
      const ok = type === 'unsigned' ? n >= 0n && n <= UINT64_MAX : n >= INT64_MIN && n <= INT64_MAX
      if (!ok) return `${n} is outside the ${type === 'unsigned' ? '64-bit unsigned' : '64-bit signed'} range`
      return { type, value: normalizeInteger(n) }
    }
    case 'float':
      return typeof v === 'number' && Number.isFinite(v) ? { type, value: v } : `write a number, not ${describe(v)}`
    case 'boolean':
      return typeof v === 'boolean' ? { type, value: v } : `write true or false, not ${describe(v)}`
    case 'opaque': {
      if (!isObject(v) || !isOpaqueSpelling(v) || typeof (v.hex ?? v.base64) !== 'string') {
        return 'write { "hex": "0a1b…" } or { "base64": "Chs=" }'
      }
      const r = has(v, 'hex') ? parseHex(v.hex as string, 'the hex value') : parseBase64(v.base64 as string, 'the base64 value')
      return r.ok ? { type, value: r.bytes } : r.problem
    }
    case 'objlnk': {
      const l = typeof v === 'string' ? parseObjectLink(v) : null
      if (!l || !objlnkInRange(l.objectId, l.instanceId)) {
        return `write "OID:IID" (e.g. "3:0", ids below 65535, or the null link "65535:65535"), not ${describe(v)}`
      }
      return { type, value: l }
    }
    case 'none':
      return 'an executable resource holds no value'
  }
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)
  if (Array.isArray(v)) return 'an array'
  if (v === null) return 'null'
  if (typeof v === 'object') return 'an object'
  return String(v)
}

/** Checks `raw` (parsed JSON) as a profile against `models`. Never throws. */
export function checkProfile(raw: unknown, models: ModelLookup): ProfileCheck {
  const c = new Checker(models)
  c.profile(raw)
  return { profile: c.problems.length === 0 ? (raw as Profile) : null, problems: c.problems }
}

/**
 * The instance's values as typed Values: single resources map to a Value, multiple ones to a
 * Map from resource-instance id. Generated resources get their value at t = 0 (see generators.ts;
 * `epochAtStart` is the Unix time a 'clock' starts from). Values that do not fit the model are
 * left out: checkProfile reports them, this only converts.
 */
export function profileValues(instance: ProfileInstance, model: ObjectModel, epochAtStart = 0): Map<ResourceId, Value | Map<number, Value>> {
  const out = new Map<ResourceId, Value | Map<number, Value>>()
  // Read as unknown: this converts whatever it is given and leaves out what does not fit.
  for (const [key, raw] of Object.entries(instance.resources as Record<string, unknown>)) {
    const rid = idKey(key)
    const rm = rid === null ? undefined : findResource(model, rid)
    if (rid === null || !rm || rm.type === 'none') continue
    if (isObject(raw) && has(raw, 'generator')) {
      const g = raw.generator
      const known = isObject(g) && typeof g.kind === 'string' && has(GENERATOR_FIELDS, g.kind)
      const v = rm.multiple || !known ? null : generatedValue(rm.type, generatorValue(g as Generator, 0, null, () => 0.5, epochAtStart))
      if (v) out.set(rid, v)
      continue
    }
    if (rm.multiple) {
      const entries: [number | null, unknown][] = Array.isArray(raw)
        ? raw.map((x, i) => [i, x])
        : isObject(raw) && !isOpaqueSpelling(raw)
          ? Object.entries(raw).map(([k, x]) => [idKey(k), x])
          : []
      const map = new Map<number, Value>()
      for (const [riid, x] of entries) {
        const v = riid === null ? null : scalarValue(rm.type, x)
        if (riid !== null && v !== null && typeof v !== 'string') map.set(riid, v)
      }
      out.set(rid, map)
      continue
    }
    const v = scalarValue(rm.type, raw)
    if (typeof v !== 'string') out.set(rid, v)
  }
  return out
}
