// SPDX-License-Identifier: Apache-2.0
// The Device Management and Service Enablement interface as a client carries it out (C §6.3,
// T Tbl 6.4.4-1, codes Tbl 6.7-3; facts §3.3): Read, Read-Composite, Discover (with depth),
// Write (replace and partial update), Write-Composite, Write-Attributes, Execute, Create, Delete,
// each with the access-control check (C §8.2) and the spec's error codes.
import { parseAttributeQuery } from '../attributes'
import { CF, type ContentFormat } from '../content-format'
import { codecFor, decodePayload, encodePayload } from '../formats/all'
import { MAX_ID, type InstanceId, type ObjectId, type ShortServerId } from '../ids'
import { formatLinkFormat, type LinkInput } from '../link-format'
import type { ResourceModel } from '../model'
import { formatPath, type Path } from '../path'
import type { Lwm2mRecord } from '../record'
import type { Value } from '../value'
import { allowed, dropAcl, mayCreate, recordCreator, Right, SECURITY_OBJECTS } from './access-control'
import type { AttributeStore } from './attribute-store'
import { Code, fail, type ClientRequest, type ClientResponse } from './client-request'
import { isMultiple, type InstanceData, type ObjectTree, type Stored } from './object-tree'
import type { ProfileOperation } from './profile'
import { parseExecuteArgs } from '../execute-args'

export type LwM2MVersion = '1.0' | '1.1' | '1.2'

export interface DmContext {
  readonly tree: ObjectTree
  readonly attributes: AttributeStore
  /** The server asking (its Short Server ID). */
  readonly ssid: ShortServerId
  readonly version: LwM2MVersion
  /** For Reads without Accept above the resource level, and notifications. */
  readonly preferredFormat: ContentFormat
  /** Runs an executable resource; null when nothing special happens (2.04). */
  execute(path: readonly [ObjectId, InstanceId, number], args: string): ClientResponse | null
  /** A refusal the profile or a fault asks for on this operation and path (DMSE-01), or null. */
  refusal(operation: ProfileOperation, path: Path): number | null
  /** Called after a Create so the client can record the creator as owner (C §8.2). */
  created?(objectId: ObjectId, instanceId: InstanceId): void
}

const utf8 = new TextEncoder()

/** Resource-level single values go as text (or opaque) unless asked otherwise (T §6.4.4). */
function singleValueFormat(v: Value): ContentFormat {
  return v.type === 'opaque' ? CF.OPAQUE : CF.TEXT
}

const readable = (r: ResourceModel | undefined): boolean => r === undefined || r.operations === 'R' || r.operations === 'RW'
const writable = (r: ResourceModel | undefined): boolean => r === undefined || r.operations === 'W' || r.operations === 'RW'
const executable = (r: ResourceModel | undefined): boolean => r?.operations === 'E'

/** The checks every DM operation shares: object 0/21/23 are out of reach, the target must exist. */
function reach(req: ClientRequest, ctx: DmContext, op: ProfileOperation): ClientResponse | null {
  const [o] = req.path
  if (o !== undefined && SECURITY_OBJECTS.has(o)) return fail(Code.UNAUTHORIZED, `object ${o} is reachable only by the Bootstrap-Server`)
  const refused = ctx.refusal(op, req.path)
  if (refused !== null) return fail(refused, `this device refuses ${op} on ${formatPath(req.path)}`)
  return null
}

function rightOn(ctx: DmContext, path: Path, right: Right): boolean {
  return path.length < 2 || allowed(ctx.tree, ctx.ssid, path[0] as number, path[1] as number, right)
}

/** Read (GET without Accept 40). */
export function read(req: ClientRequest, ctx: DmContext): ClientResponse {
  const stop = reach(req, ctx, 'read')
  if (stop) return stop
  const { tree } = ctx
  if (req.path.length === 0) return fail(Code.METHOD_NOT_ALLOWED, 'Read needs an object, instance or resource path')
  if (!tree.exists(req.path)) return fail(Code.NOT_FOUND, `${formatPath(req.path)} does not exist`)
  if (req.path.length >= 3) {
    const r = tree.resourceModel(req.path[0] as number, req.path[2] as number)
    if (!readable(r)) return fail(Code.METHOD_NOT_ALLOWED, `${formatPath(req.path)} is not readable`)
  }
  const records = readableRecords(ctx, req.path)
  if (records === null) return fail(Code.UNAUTHORIZED, `server ${ctx.ssid} has no Read right on ${formatPath(req.path)}`)
  return encodeAnswer(req.path, records, req.accept, ctx)
}

/** The records under `path` that `ctx.ssid` may read; null when it may read none of the target. */
export function readableRecords(ctx: DmContext, path: Path): Lwm2mRecord[] | null {
  const { tree } = ctx
  if (path.length >= 2 && !rightOn(ctx, path, Right.READ)) return null
  return tree.records(path).filter((rec) => {
    const [o, i, r] = rec.path as [number, number, number]
    return !SECURITY_OBJECTS.has(o) && readable(tree.resourceModel(o, r)) && allowed(tree, ctx.ssid, o, i, Right.READ)
  })
}

/** Encodes an answer for `path` in the asked-for or preferred format (4.06 if impossible). */
export function encodeAnswer(path: Path, records: readonly Lwm2mRecord[], accept: ContentFormat | null, ctx: DmContext): ClientResponse {
  const single = path.length >= 3 && records.length === 1 && (path.length === 4 || !isMultiple(ctx.tree.get(path.slice(0, 3) as unknown as Path) as Stored))
  let format = accept ?? (single && records[0]?.value ? singleValueFormat(records[0].value) : ctx.preferredFormat)
  if (accept === null && !single && ctx.version === '1.0' && format !== CF.TLV) format = CF.TLV
  if (!codecFor(format) || format === CF.LINK) return fail(Code.NOT_ACCEPTABLE, `content format ${format} is not one this device writes`)
  try {
    const payload = encodePayload(format, records, { path, models: ctx.tree.models })
    return { code: Code.CONTENT, contentFormat: format, payload }
  } catch (e) {
    return fail(Code.NOT_ACCEPTABLE, `cannot answer ${formatPath(path)} as ${format}: ${e instanceof Error ? e.message : String(e)}`)
  }
}

/** Read-Composite (FETCH /, C §6.3.2): best effort, paths that do not exist are left out. */
export function readComposite(req: ClientRequest, ctx: DmContext): ClientResponse {
  const paths = requestedPaths(req, ctx)
  if (!Array.isArray(paths)) return paths
  const records: Lwm2mRecord[] = []
  for (const p of paths) {
    if (p.length > 0 && SECURITY_OBJECTS.has(p[0] as number)) continue
    records.push(...(readableRecords(ctx, p) ?? []))
  }
  const accept = req.accept ?? (ctx.preferredFormat === CF.TLV ? CF.SENML_CBOR : ctx.preferredFormat)
  if (accept !== CF.SENML_JSON && accept !== CF.SENML_CBOR && accept !== CF.LWM2M_CBOR) {
    return fail(Code.NOT_ACCEPTABLE, 'Read-Composite answers in SenML JSON, SenML CBOR or LwM2M CBOR')
  }
  return encodeAnswer([], records, accept, ctx)
}

/** The path list of a composite request body (SenML or SenML-ETCH Fetch Pack). */
export function requestedPaths(req: ClientRequest, ctx: DmContext): Path[] | ClientResponse {
  const cf = req.contentFormat
  if (cf === null) return fail(Code.BAD_REQUEST, 'a composite request needs a Content-Format')
  if (![CF.SENML_JSON, CF.SENML_CBOR, CF.SENML_ETCH_JSON, CF.SENML_ETCH_CBOR].includes(cf as 110)) {
    return fail(Code.UNSUPPORTED_CONTENT_FORMAT, `content format ${cf} cannot carry a path list`)
  }
  const decoded = decodePayload(cf, req.payload, { models: ctx.tree.models })
  if (decoded.violations.length > 0) return fail(Code.BAD_REQUEST, decoded.violations[0]?.message ?? 'bad path list')
  return decoded.records.map((r) => r.path)
}

/** Discover (GET with Accept 40, C §6.3.3; depth in 1.2). */
export function discover(req: ClientRequest, ctx: DmContext): ClientResponse {
  const stop = reach(req, ctx, 'discover')
  if (stop) return stop
  const { tree } = ctx
  const path = req.path
  if (path.length === 0 || path.length === 4) return fail(Code.BAD_REQUEST, 'Discover takes an object, instance or resource path')
  if (!tree.exists(path)) return fail(Code.NOT_FOUND, `${formatPath(path)} does not exist`)
  // Depth counts levels below the target (0: the target only); defaults per Tbl 6.3.2-2.
  let depth = path.length === 1 ? 2 : 1
  for (const q of req.query) {
    const m = /^depth=([0-3])$/.exec(q)
    if (m) depth = Number(m[1])
    else if (q.startsWith('depth')) return fail(Code.BAD_REQUEST, `"${q}": depth is 0..3`)
  }
  const links: LinkInput[] = []
  const [o, i, r] = path as unknown as [number, number?, number?]
  const add = (p: Path, extra: Record<string, number | string> = {}): void => {
    const attrs: Record<string, number | string> = { ...extra }
    for (const [k, v] of Object.entries(ctx.attributes.attached(ctx.ssid, p))) if (typeof v === 'number') attrs[k] = v
    links.push({ path: p, attributes: attrs })
  }
  const version = tree.version(o)
  add([o], version && version !== '1.0' && path.length === 1 ? { ver: version } : {})
  if (path.length === 1 && depth >= 1) {
    for (const iid of tree.instanceIds(o)) {
      add([o, iid])
      if (depth >= 2) addResources(ctx, o, iid, depth - 1, add)
    }
  } else if (path.length === 2 && i !== undefined) {
    links.length = 0
    add([o, i])
    if (depth >= 1) addResources(ctx, o, i, depth, add)
  } else if (i !== undefined && r !== undefined) {
    links.length = 0
    const s = tree.get([o, i, r])
    add([o, i, r], s !== undefined && isMultiple(s) ? { dim: s.size } : {})
    if (depth >= 1 && s !== undefined && isMultiple(s)) for (const ri of [...s.keys()].sort((a, b) => a - b)) add([o, i, r, ri])
  }
  return { code: Code.CONTENT, contentFormat: CF.LINK, payload: utf8.encode(formatLinkFormat(links)) }
}

/** The resources of an instance; `depth` counted from the instance (2 and more: resource instances too). */
function addResources(ctx: DmContext, o: number, i: number, depth: number, add: (p: Path, extra?: Record<string, number>) => void): void {
  const data = ctx.tree.instance(o, i)
  if (!data) return
  for (const rid of [...data.keys()].sort((a, b) => a - b)) {
    const s = data.get(rid) as Stored
    add([o, i, rid], isMultiple(s) ? { dim: s.size } : {})
    if (depth >= 2 && isMultiple(s)) for (const ri of [...s.keys()].sort((a, b) => a - b)) add([o, i, rid, ri])
  }
}

/** Decodes a Write/Create body for `path`; 4.00/4.15 when it cannot. */
export function decodeBody(req: ClientRequest, ctx: { tree: ObjectTree }, path: Path): Lwm2mRecord[] | ClientResponse {
  if (req.contentFormat === null) return fail(Code.BAD_REQUEST, 'a Write or Create needs a Content-Format')
  if (!codecFor(req.contentFormat) || req.contentFormat === CF.LINK) {
    return fail(Code.UNSUPPORTED_CONTENT_FORMAT, `content format ${req.contentFormat} is not one this device reads`)
  }
  const decoded = decodePayload(req.contentFormat, req.payload, { path, models: ctx.tree.models })
  if (decoded.violations.length > 0) {
    const v = decoded.violations[0]
    return fail(Code.BAD_REQUEST, `${v?.message ?? 'bad payload'} (${v?.rule ?? ''})`)
  }
  return decoded.records
}

/** Type and range checks against the model (the decoders type values by it already). */
function valueProblem(r: ResourceModel | undefined, v: Value | undefined): string | null {
  if (!r || v === undefined) return v === undefined ? 'no value' : null
  if (r.type !== v.type && !(r.type === 'unsigned' && v.type === 'integer' && Number(v.value) >= 0)) {
    return `${r.name} is ${r.type}, not ${v.type}`
  }
  const m = /^(-?[0-9.]+)\.\.(-?[0-9.]+)$/.exec(r.range)
  if (m && (v.type === 'integer' || v.type === 'unsigned' || v.type === 'float')) {
    const n = Number(v.value)
    if (n < Number(m[1]) || n > Number(m[2])) return `${r.name} must be within ${r.range}, not ${n}`
  }
  if (m && v.type === 'string' && r.type === 'string') {
    const len = utf8.encode(v.value).length
    if (len < Number(m[1]) || len > Number(m[2])) return `${r.name} takes ${r.range} bytes, not ${len}`
  }
  return null
}

/** Checks every record of a Write: under the target, writable, well typed. */
function checkWrite(ctx: DmContext, target: Path, records: readonly Lwm2mRecord[], bootstrap: boolean): ClientResponse | null {
  for (const rec of records) {
    const p = rec.path
    if (p.length < 3 || target.some((id, k) => p[k] !== id)) {
      return fail(Code.BAD_REQUEST, `${formatPath(p)} is not under ${formatPath(target)}`)
    }
    const r = ctx.tree.resourceModel(p[0] as number, p[2] as number)
    if (!r && !bootstrap && ctx.tree.model(p[0] as number)) return fail(Code.NOT_FOUND, `${formatPath(p)} is not a resource of this object`)
    if (!bootstrap && !writable(r)) return fail(Code.METHOD_NOT_ALLOWED, `${formatPath(p)} is not writable`)
    const problem = valueProblem(r, rec.value)
    if (problem) return fail(Code.BAD_REQUEST, `${formatPath(p)}: ${problem}`)
    if (rec.value?.type === 'objlnk') {
      const { objectId: lo, instanceId: li } = rec.value.value
      const ok = (lo === MAX_ID && li === MAX_ID) || (li === MAX_ID) || ctx.tree.hasInstance(lo, li)
      if (!ok && !bootstrap) return fail(Code.BAD_REQUEST, `${formatPath(p)} links to ${lo}:${li}, which does not exist`)
    }
  }
  return null
}

/** Groups records by resource into instance data (multiple resources as maps). */
export function toInstanceData(records: readonly Lwm2mRecord[], tree: ObjectTree, into: InstanceData = new Map()): InstanceData {
  const fresh = new Set<number>()
  for (const rec of records) {
    const [o, , r, ri] = rec.path as unknown as [number, number, number, number?]
    if (rec.value === undefined) continue
    const model = tree.resourceModel(o, r)
    if (ri === undefined && !(model?.multiple ?? false)) {
      into.set(r, rec.value)
      continue
    }
    // A multiple resource written whole replaces its instances (C §6.3.4).
    let map = into.get(r)
    if (!fresh.has(r) || map === undefined || !isMultiple(map)) {
      map = new Map()
      into.set(r, map)
      fresh.add(r)
    }
    ;(map as Map<number, Value>).set(ri ?? 0, rec.value)
  }
  return into
}

/** Write (PUT = replace, POST on an instance or multiple resource = partial update, C §6.3.4). */
export function write(req: ClientRequest, ctx: DmContext, replace: boolean): ClientResponse {
  const stop = reach(req, ctx, 'write')
  if (stop) return stop
  const { tree } = ctx
  const path = req.path
  if (path.length < 2) return fail(Code.METHOD_NOT_ALLOWED, 'Write targets an instance, resource or resource instance')
  const [o, i, r] = path as unknown as [number, number, number?]
  if (!tree.hasInstance(o, i)) return fail(Code.NOT_FOUND, `${formatPath([o, i])} does not exist`)
  if (r !== undefined) {
    const model = tree.resourceModel(o, r)
    if (tree.model(o) && !model) return fail(Code.NOT_FOUND, `${formatPath(path)} is not a resource of this object`)
    if (!writable(model)) return fail(Code.METHOD_NOT_ALLOWED, `${formatPath(path)} is not writable`)
  }
  if (!rightOn(ctx, path, Right.WRITE)) return fail(Code.UNAUTHORIZED, `server ${ctx.ssid} has no Write right on ${formatPath(path)}`)
  const records = decodeBody(req, ctx, path)
  if (!Array.isArray(records)) return records
  if (records.length === 0 && path.length < 4) return fail(Code.BAD_REQUEST, 'the Write carries no value')
  const bad = checkWrite(ctx, path, records, false)
  if (bad) return bad
  applyWrite(tree, path, records, replace)
  return { code: Code.CHANGED }
}

/** Applies checked records; the tree reports one change per resource written. */
export function applyWrite(tree: ObjectTree, path: Path, records: readonly Lwm2mRecord[], replace: boolean): void {
  const [o, i, r, ri] = path as unknown as [number, number, number?, number?]
  const data = tree.instance(o, i)
  if (!data) return
  if (ri !== undefined && r !== undefined) {
    const v = records[0]?.value
    if (v) tree.set([o, i, r, ri], v)
    return
  }
  if (r !== undefined) {
    const model = tree.resourceModel(o, r)
    if (model?.multiple || records.some((x) => x.path.length === 4)) {
      const s = data.get(r)
      const map = new Map<number, Value>(!replace && s !== undefined && isMultiple(s) ? s : [])
      for (const rec of records) if (rec.value) map.set((rec.path[3] as number | undefined) ?? 0, rec.value)
      tree.set([o, i, r], map)
    } else if (records[0]?.value) {
      tree.set([o, i, r], records[0].value)
    }
    return
  }
  const incoming = toInstanceData(records, tree)
  if (replace) {
    // Replace: writable resources not given are removed, read-only ones stay (C §6.3.4).
    for (const rid of [...data.keys()]) {
      if (!incoming.has(rid) && writable(tree.resourceModel(o, rid))) data.delete(rid)
    }
  }
  for (const [rid, s] of incoming) {
    const old = data.get(rid)
    if (!replace && isMultiple(s) && old !== undefined && isMultiple(old)) tree.set([o, i, rid], new Map([...old, ...s]))
    else tree.set([o, i, rid], s)
  }
  tree.onChange([o, i])
}

/** Write-Attributes (PUT with only a query, C §6.3.4 / §7.3). */
export function writeAttributes(req: ClientRequest, ctx: DmContext): ClientResponse {
  const stop = reach(req, ctx, 'write-attributes')
  if (stop) return stop
  const path = req.path
  if (path.length === 0) return fail(Code.METHOD_NOT_ALLOWED, 'Write-Attributes needs a path')
  if (!ctx.tree.exists(path)) return fail(Code.NOT_FOUND, `${formatPath(path)} does not exist`)
  if (!rightOn(ctx, path, Right.READ)) return fail(Code.UNAUTHORIZED, `server ${ctx.ssid} has no Read right on ${formatPath(path)}`)
  const model = ctx.tree.model(path[0] as number)
  const parsed = parseAttributeQuery(req.query.join('&'), { path, ...(model ? { model } : {}) })
  if (parsed.violations.length > 0) return fail(Code.BAD_REQUEST, parsed.violations[0]?.message ?? 'bad attributes')
  ctx.attributes.write(ctx.ssid, path, parsed.attributes)
  return { code: Code.CHANGED }
}

const LENIENT_ARG_RULES: ReadonlySet<string> = new Set(['execute-args.unquoted-value', 'execute-args.whitespace'])

/** Execute (POST on an executable resource, C §6.3.5). */
export function execute(req: ClientRequest, ctx: DmContext): ClientResponse {
  const stop = reach(req, ctx, 'execute')
  if (stop) return stop
  const path = req.path
  if (path.length !== 3) return fail(Code.METHOD_NOT_ALLOWED, 'Execute targets a resource')
  const [o, i, r] = path as [number, number, number]
  if (!ctx.tree.hasInstance(o, i)) return fail(Code.NOT_FOUND, `${formatPath([o, i])} does not exist`)
  if (!executable(ctx.tree.resourceModel(o, r))) return fail(Code.METHOD_NOT_ALLOWED, `${formatPath(path)} is not executable`)
  if (!rightOn(ctx, path, Right.EXECUTE)) return fail(Code.UNAUTHORIZED, `server ${ctx.ssid} has no Execute right on ${formatPath(path)}`)
  const args = new TextDecoder().decode(req.payload)
  // C §6.3.5 arguments; the unquoted `0=U` of T §6.6.1 and stray whitespace are read leniently.
  const broken = parseExecuteArgs(args).violations.find((v) => !LENIENT_ARG_RULES.has(v.rule))
  if (broken) return fail(Code.BAD_REQUEST, `Execute arguments: ${broken.message}`)
  return ctx.execute([o, i, r], args) ?? { code: Code.CHANGED }
}

/** Create (POST /O, C §6.3.6; DMSE-01/02). */
export function create(req: ClientRequest, ctx: DmContext): ClientResponse {
  const stop = reach(req, ctx, 'create')
  if (stop) return stop
  const { tree } = ctx
  if (req.path.length !== 1) return fail(Code.METHOD_NOT_ALLOWED, 'Create targets an object')
  const o = req.path[0] as number
  const model = tree.model(o)
  if (!tree.hasObject(o)) return fail(Code.NOT_FOUND, `object ${o} is not on this device`)
  // DMSE-01: the Device object is never created by a server (4.05); another single-instance
  // object that already has its instance is a Create of something that exists (4.00, C §6.3.6).
  if (o === 3) return fail(Code.METHOD_NOT_ALLOWED, 'the Device object (/3) cannot be created')
  if (model && !model.multiple && tree.instanceIds(o).length > 0) {
    return fail(Code.BAD_REQUEST, `object ${o} is single-instance and already has its instance`)
  }
  if (!mayCreate(tree, ctx.ssid, o)) return fail(Code.UNAUTHORIZED, `server ${ctx.ssid} has no Create right on object ${o}`)
  const records = decodeBody(req, ctx, [o])
  if (!Array.isArray(records)) return records
  const ids = new Set(records.map((r) => r.path[1]).filter((x) => x !== undefined && x !== MAX_ID))
  if (ids.size > 1) return fail(Code.BAD_REQUEST, 'a Create makes one instance; the payload names several')
  const given = ids.values().next().value as number | undefined
  const iid = given ?? (model && !model.multiple ? 0 : tree.freeInstanceId(o))
  if (iid === null) return fail(Code.BAD_REQUEST, `object ${o} has no free instance id`)
  if (tree.hasInstance(o, iid)) return fail(Code.BAD_REQUEST, `${formatPath([o, iid])} already exists`)
  // Records without an instance id (or 65535 in LwM2M CBOR, 1.2.1) belong to the new one.
  const placed = records.map((r) => ({ ...r, path: [o, iid, ...r.path.slice(2)] as unknown as Path }))
  const kept: Lwm2mRecord[] = []
  for (const rec of placed) {
    const rm = tree.resourceModel(o, rec.path[2] as number)
    if (model && !rm) continue // unknown optional resources are ignored (DMSE-02)
    if (!writable(rm)) continue // read-only values in a Create are ignored (facts DMSE-02)
    const problem = valueProblem(rm, rec.value)
    if (problem) return fail(Code.BAD_REQUEST, `${formatPath(rec.path)}: ${problem}`)
    kept.push(rec)
  }
  const data = toInstanceData(kept, tree)
  const missing = (model?.resources ?? []).filter((r) => r.mandatory && writable(r) && r.operations !== 'E' && !data.has(r.id))
  if (missing.length > 0) {
    return fail(Code.BAD_REQUEST, `mandatory resources not given: ${missing.map((r) => `${r.id} ${r.name}`).join(', ')}`)
  }
  // Mandatory read-only resources get a neutral value: the client fills them (DMSE-02).
  for (const r of model?.resources ?? []) {
    if (r.mandatory && r.operations === 'R' && !data.has(r.id)) {
      const v = neutral(r)
      if (v) data.set(r.id, r.multiple ? new Map([[0, v]]) : v)
    }
  }
  tree.putInstance(o, iid, data)
  recordCreator(tree, ctx.ssid, o, iid)
  ctx.created?.(o, iid)
  return { code: Code.CREATED, locationPath: [String(o), String(iid)] }
}

/** A value a client would hold before it measured anything. */
export function neutral(r: ResourceModel): Value | null {
  switch (r.type) {
    case 'string': return { type: 'string', value: '' }
    case 'integer': return { type: 'integer', value: 0 }
    case 'unsigned': return { type: 'unsigned', value: 0 }
    case 'float': return { type: 'float', value: 0 }
    case 'boolean': return { type: 'boolean', value: false }
    case 'opaque': return { type: 'opaque', value: new Uint8Array(0) }
    case 'time': return { type: 'time', value: 0 }
    case 'objlnk': return { type: 'objlnk', value: { objectId: MAX_ID, instanceId: MAX_ID } }
    case 'corelnk': return { type: 'corelnk', value: '' }
    default: return null
  }
}

/** Delete (DELETE /O/I, or /O/I/R/RI from 1.1; C §6.3.7; DMSE-01). */
export function remove(req: ClientRequest, ctx: DmContext): ClientResponse {
  const stop = reach(req, ctx, 'delete')
  if (stop) return stop
  const path = req.path
  const { tree } = ctx
  if (path.length !== 2 && path.length !== 4) return fail(Code.METHOD_NOT_ALLOWED, 'Delete targets an instance or a resource instance')
  const [o, i] = path as [number, number]
  if (o === 3 || o === 1) return fail(Code.METHOD_NOT_ALLOWED, `${formatPath([o, i])} cannot be deleted by a server`)
  if (!tree.exists(path)) return fail(Code.NOT_FOUND, `${formatPath(path)} does not exist`)
  if (!rightOn(ctx, path, Right.DELETE)) return fail(Code.UNAUTHORIZED, `server ${ctx.ssid} has no Delete right on ${formatPath(path)}`)
  if (path.length === 4) {
    tree.deleteResourceInstance(path as unknown as [number, number, number, number])
  } else {
    tree.deleteInstance(o, i)
    if (o !== 2) dropAcl(tree, o, i)
    ctx.attributes.dropPath(path)
  }
  return { code: Code.DELETED }
}

/** Write-Composite (iPATCH /, C §6.3.4): all or nothing, Write right on every target. */
export function writeComposite(req: ClientRequest, ctx: DmContext): ClientResponse {
  if (req.path.length !== 0) return fail(Code.METHOD_NOT_ALLOWED, 'Write-Composite targets /')
  const records = decodeBody(req, ctx, [])
  if (!Array.isArray(records)) return records
  for (const rec of records) {
    const sub: ClientRequest = { ...req, path: rec.path }
    const stop = reach(sub, ctx, 'write')
    if (stop) return stop
    if (rec.path.length < 3 || !ctx.tree.hasInstance(rec.path[0] as number, rec.path[1] as number)) {
      return fail(Code.NOT_FOUND, `${formatPath(rec.path)} does not exist`)
    }
    if (!rightOn(ctx, rec.path, Right.WRITE)) return fail(Code.UNAUTHORIZED, `no Write right on ${formatPath(rec.path)}`)
    if (rec.delete) {
      // A Patch Pack's "v": null removes a resource instance (RFC 8790): it has no value to type-check.
      if (rec.path.length !== 4) return fail(Code.BAD_REQUEST, `${formatPath(rec.path)}: only a resource instance can be deleted this way`)
      if (!ctx.tree.exists(rec.path)) return fail(Code.NOT_FOUND, `${formatPath(rec.path)} does not exist`)
      if (!writable(ctx.tree.resourceModel(rec.path[0] as number, rec.path[2] as number))) return fail(Code.METHOD_NOT_ALLOWED, `${formatPath(rec.path)} is not writable`)
      continue
    }
    const bad = checkWrite(ctx, rec.path.slice(0, 2) as unknown as Path, [rec], false)
    if (bad) return bad
  }
  for (const rec of records) {
    if (rec.delete) {
      if (rec.path.length === 4) ctx.tree.deleteResourceInstance(rec.path as unknown as [number, number, number, number])
      continue
    }
    applyWrite(ctx.tree, rec.path, [rec], true)
  }
  return { code: Code.CHANGED }
}

/** Which DM operation a request is (C §6.3 over T Tbl 6.4.4-1); null for reporting ones. */
export function handleDm(req: ClientRequest, ctx: DmContext): ClientResponse {
  switch (req.method) {
    case 'GET':
      return req.accept === CF.LINK ? discover(req, ctx) : read(req, ctx)
    case 'FETCH':
      return readComposite(req, ctx)
    case 'PUT':
      if (req.payload.length === 0 && req.contentFormat === null) return writeAttributes(req, ctx)
      return write(req, ctx, true)
    case 'POST': {
      if (req.path.length === 1) return create(req, ctx)
      if (req.path.length === 3) {
        const rm = ctx.tree.resourceModel(req.path[0] as number, req.path[2] as number)
        if (executable(rm)) return execute(req, ctx)
        if (!rm?.multiple) return fail(Code.METHOD_NOT_ALLOWED, `${formatPath(req.path)} is neither executable nor a multiple resource`)
      }
      return write(req, ctx, false)
    }
    case 'DELETE':
      return remove(req, ctx)
    case 'IPATCH':
      return writeComposite(req, ctx)
  }
}
