// SPDX-License-Identifier: Apache-2.0
// TLV, application/vnd.oma.lwm2m+tlv (11542), C §7.5.5 (facts §2.2). TLV carries ids and
// lengths but no types: the request path names the level the payload starts at and the model
// types the values. Decoding is allocation-light (one DataView, no per-byte work); encoding sizes
// everything first and writes into one preallocated buffer.
import { EncodeError, type CodecContext, type ContentCodec } from '../codec'
import { CF } from '../content-format'
import type { ObjectModel, ResourceModel } from '../model'
import { comparePaths, formatPath, type Path } from '../path'
import type { DecodeResult, Lwm2mRecord } from '../record'
import { normalizeInteger, type Value } from '../value'
import { counted, decodeViolations } from './counted'
import { ViolationList } from '../../violation'
import { assertEncodable, assertIds, guardedDecode, objlnkInRange, refusal, resourceOf } from './typing'
import { readUtf8, utf8Length, writeUtf8 } from './utf8'

const SECTION = 'LwM2M 1.2 Core §7.5.5'

// Type byte bits 7-6 (C §7.5.5 Tbl 7.5.5-1).
const OI = 0
const RI = 1
const MR = 2
const RES = 3
const KIND_NAMES = ['Object Instance', 'Resource Instance', 'Multiple Resource', 'Resource']

/** Instance id for unwrapped resources at object level: MAX_ID, as in a Create without id. */
const NO_INSTANCE = 65535

/** The longest value a 24-bit length field can state. */
const MAX_LENGTH = 0xffffff

// ---------------------------------------------------------------------------------------------
// Decoding

/** Seen-id check that stays cheap while ids ascend (what every encoder we know writes). */
class IdSet {
  private readonly ascending: number[] = []
  private set: Set<number> | null = null
  /** Adds `id`; false when it was already there. */
  add(id: number): boolean {
    if (this.set === null) {
      const list = this.ascending
      if (list.length === 0 || id > (list[list.length - 1] as number)) {
        list.push(id)
        return true
      }
      this.set = new Set(list)
    }
    if (this.set.has(id)) return false
    this.set.add(id)
    return true
  }
}

class TlvDecoder {
  readonly records: Lwm2mRecord[] = []
  readonly v = decodeViolations()
  private readonly view: DataView
  private readonly model: ObjectModel | undefined
  // The header last read by next(): fields instead of an object, so no allocation per TLV.
  kind = 0
  id = 0
  start = 0
  valueStart = 0
  valueEnd = 0

  constructor(
    readonly bytes: Uint8Array,
    readonly objectId: number,
    ctx: CodecContext
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    this.model = ctx.models?.get(objectId)
  }

  /** Reads the header at `at` inside [at, end); false (with a violation) when it does not fit. */
  next(at: number, end: number): boolean {
    const b = this.bytes
    const type = b[at] as number
    const idLen = type & 0x20 ? 2 : 1
    const lenType = (type >> 3) & 3
    const headerLen = 1 + idLen + lenType
    if (at + headerLen > end) {
      this.flag(at, 'tlv.length-overrun', `TLV header at ${at} needs ${headerLen} bytes, only ${end - at} remain`)
      return false
    }
    let p = at + 1
    const id = idLen === 2 ? ((b[p] as number) << 8) | (b[p + 1] as number) : (b[p] as number)
    p += idLen
    let len: number
    if (lenType === 0) len = type & 7
    else if (lenType === 1) len = b[p] as number
    else if (lenType === 2) len = ((b[p] as number) << 8) | (b[p + 1] as number)
    else len = ((b[p] as number) << 16) | ((b[p + 1] as number) << 8) | (b[p + 2] as number)
    const valueStart = at + headerLen
    if (valueStart + len > end) {
      this.flag(at, 'tlv.length-overrun',
        `TLV at ${at} states ${len} value bytes, only ${end - valueStart} remain in its container`)
      return false
    }
    if (idLen === 2 && id < 256) {
      this.flag(at, 'tlv.id-width', `TLV at ${at} uses a 16-bit identifier for id ${id}, which fits 8 bits`)
    }
    if (id === 65535) this.flag(at, 'tlv.id-reserved', `TLV at ${at} uses the reserved id 65535 (MAX_ID)`)
    this.kind = type >> 6
    this.id = id
    this.start = at
    this.valueStart = valueStart
    this.valueEnd = valueStart + len
    return true
  }

  flag(at: number, rule: string, message: string): void {
    this.v.add(at, rule, SECTION, message)
  }

  private misplaced(where: string): void {
    this.flag(this.start, 'tlv.kind-not-allowed',
      `a ${KIND_NAMES[this.kind]} TLV (id ${this.id}) at ${this.start} is not allowed ${where}`)
  }

  private duplicate(what: string): void {
    this.flag(this.start, 'tlv.duplicate-id', `${what} ${this.id} appears twice (TLV at ${this.start})`)
  }

  /** Payload of a request on /O: Object Instance TLVs only. */
  objectLevel(start: number, end: number): void {
    const first = start < end ? (this.bytes[start] as number) >> 6 : OI
    if (first === RES || first === MR) {
      // Resource TLVs with no wrapper (some clients' Create without an instance id): keep them,
      // named with instance 65535 as LwM2M CBOR names a Create without id (facts §2.5).
      this.flag(start, 'tlv.kind-not-allowed',
        `resource TLVs at the top of a payload for /${this.objectId} lack the Object Instance TLV; read as instance 65535`)
      this.instance(NO_INSTANCE, start, end, false)
      return
    }
    this.each(start, end, 'object instance', () => {
      if (this.kind === OI) return true
      this.misplaced(`at the top of a payload for /${this.objectId}: an Object Instance TLV must wrap it`)
      return false
    }, () => this.instance(this.id, this.valueStart, this.valueEnd, true))
  }

  /** Resource and Multiple Resource TLVs of instance `iid` in [start, end). */
  instance(iid: number, start: number, end: number, wrapped: boolean): void {
    if (start === end && wrapped) {
      // An empty instance (Create without values): a path-only record keeps it visible.
      this.records.push({ path: [this.objectId, iid] })
      return
    }
    this.each(start, end, `resource /${this.objectId}/${iid}/`, () => {
      if (this.kind === OI) {
        this.misplaced(`inside an instance (nesting is Object Instance > Multiple Resource > Resource Instance)`)
        return false
      }
      if (this.kind === RI) {
        this.misplaced('directly inside an instance: it belongs in a Multiple Resource TLV')
        return false
      }
      return true
    }, () => {
      if (this.kind === RES) this.resource(iid, this.id, this.valueStart, this.valueEnd)
      else this.multiple(iid, this.id, this.valueStart, this.valueEnd)
    })
  }

  /** A Resource TLV with a value. */
  resource(iid: number, rid: number, start: number, end: number): void {
    const rm = this.resourceModel(rid)
    if (rm?.multiple) {
      this.flag(this.start, 'tlv.multiple-mismatch',
        `resource /${this.objectId}/${iid}/${rid} is multiple: it needs a Multiple Resource TLV`)
    }
    const path: Path = [this.objectId, iid, rid]
    this.records.push({ path, value: this.value(rm, start, end, path) })
  }

  /** The Resource Instance TLVs of a Multiple Resource TLV in [start, end). */
  multiple(iid: number, rid: number, start: number, end: number): void {
    const rm = this.resourceModel(rid)
    if (rm && !rm.multiple) {
      this.flag(this.start, 'tlv.multiple-mismatch',
        `resource /${this.objectId}/${iid}/${rid} is single: a Multiple Resource TLV is not allowed`)
    }
    if (start === end) {
      // Zero instances is legal (C §7.5.5); a path-only record lets a Write clear the resource.
      this.records.push({ path: [this.objectId, iid, rid] })
      return
    }
    this.each(start, end, `resource instance /${this.objectId}/${iid}/${rid}/`, () => {
      if (this.kind === RI) return true
      if (this.kind === OI || this.kind === MR) {
        this.flag(this.start, 'tlv.nesting-depth',
          `a ${KIND_NAMES[this.kind]} TLV at ${this.start} would nest deeper than 3 levels (C §7.5.5)`)
      } else {
        this.misplaced('inside a Multiple Resource TLV: only Resource Instance TLVs are')
      }
      return false
    }, () => {
      const path: Path = [this.objectId, iid, rid, this.id]
      this.records.push({ path, value: this.value(rm, this.valueStart, this.valueEnd, path) })
    })
  }

  /**
   * The TLVs in [start, end), in order: `fits` says (and reports) whether the current one's kind
   * belongs here, a repeated id is reported as a duplicate `what`, and `visit` reads the rest.
   * Stops at a TLV that does not parse (next has reported it). The three levels share this so
   * they cannot disagree on duplicates or on where the walk resumes.
   */
  private each(start: number, end: number, what: string, fits: () => boolean, visit: () => void): void {
    const seen = new IdSet()
    let at = start
    while (at < end) {
      if (!this.next(at, end)) return
      // Taken before visit, which walks the nested TLVs and moves valueEnd.
      at = this.valueEnd
      if (!fits()) continue
      if (!seen.add(this.id)) {
        this.duplicate(what)
        continue
      }
      visit()
    }
  }

  resourceModel(rid: number): ResourceModel | undefined {
    const rm = resourceOf(this.model, rid)
    if (this.model && !rm) {
      this.flag(this.start, 'tlv.unknown-resource',
        `resource ${rid} is not defined by object ${this.objectId} (${this.model.name}); its value is shown as opaque`)
    }
    return rm
  }

  private misfit(rm: ResourceModel, start: number, end: number, path: Path, why: string): Value {
    this.flag(start, 'tlv.value-type', `${formatPath(path)} (${rm.name}) is ${rm.type}: ${why}; shown as opaque`)
    return { type: 'opaque', value: this.bytes.slice(start, end) }
  }

  /** The typed value in [start, end); opaque (with a violation) when it does not fit the model. */
  value(rm: ResourceModel | undefined, start: number, end: number, path: Path): Value {
    const len = end - start
    if (!rm) return { type: 'opaque', value: this.bytes.slice(start, end) }
    const view = this.view
    switch (rm.type) {
      case 'integer':
      case 'time': {
        let n: number | bigint
        if (len === 1) n = view.getInt8(start)
        else if (len === 2) n = view.getInt16(start)
        else if (len === 4) n = view.getInt32(start)
        else if (len === 8) n = normalizeInteger(view.getBigInt64(start))
        else return this.misfit(rm, start, end, path, `${len} bytes is not 1, 2, 4 or 8`)
        return { type: rm.type, value: n }
      }
      case 'unsigned': {
        let n: number | bigint
        if (len === 1) n = view.getUint8(start)
        else if (len === 2) n = view.getUint16(start)
        else if (len === 4) n = view.getUint32(start)
        else if (len === 8) n = normalizeInteger(view.getBigUint64(start))
        else return this.misfit(rm, start, end, path, `${len} bytes is not 1, 2, 4 or 8`)
        return { type: 'unsigned', value: n }
      }
      case 'float':
        if (len === 4) return { type: 'float', value: view.getFloat32(start) }
        if (len === 8) return { type: 'float', value: view.getFloat64(start) }
        return this.misfit(rm, start, end, path, `${len} bytes is not 4 or 8`)
      case 'boolean': {
        if (len !== 1) return this.misfit(rm, start, end, path, `${len} bytes is not 1`)
        const b = this.bytes[start] as number
        if (b > 1) return this.misfit(rm, start, end, path, `byte ${b} is neither 0 nor 1`)
        return { type: 'boolean', value: b === 1 }
      }
      case 'objlnk': {
        if (len !== 4) return this.misfit(rm, start, end, path, `${len} bytes is not 4`)
        const objectId = view.getUint16(start)
        const instanceId = view.getUint16(start + 2)
        if (!objlnkInRange(objectId, instanceId)) {
          this.flag(start, 'tlv.objlnk-range',
            `${formatPath(path)}: objlnk ${objectId}:${instanceId} is neither a real instance nor the null link 65535:65535`)
        }
        return { type: 'objlnk', value: { objectId, instanceId } }
      }
      case 'string':
      case 'corelnk': {
        const s = readUtf8(this.bytes, start, end)
        if (s === null) return this.misfit(rm, start, end, path, 'the bytes are not valid UTF-8')
        return { type: rm.type, value: s }
      }
      case 'opaque':
        return { type: 'opaque', value: this.bytes.slice(start, end) }
      case 'none':
        if (len !== 0) return this.misfit(rm, start, end, path, `an executable resource has no value, found ${len} bytes`)
        return { type: 'none', value: null }
    }
  }
}

function decodeTlv(bytes: Uint8Array, ctx: CodecContext): DecodeResult {
  const path = ctx.path
  if (!path || path.length === 0) {
    const v = new ViolationList()
    v.add(0, 'tlv.path-required', SECTION, 'TLV payloads are named by the request path; none (or the root) was given')
    return { records: [], violations: v.items }
  }
  const d = new TlvDecoder(bytes, path[0], ctx)
  const end = bytes.length
  if (path.length === 1) d.objectLevel(0, end)
  else if (path.length === 2) decodeInstanceLevel(d, path[1], end)
  else if (path.length === 3) decodeResourceLevel(d, path[1], path[2], end)
  else decodeResourceInstanceLevel(d, path[1], path[2], path[3], end)
  return counted(d.records, d.v)
}

/** /O/I: resource TLVs; an OI wrapper with the same id is tolerated (some clients send it). */
function decodeInstanceLevel(d: TlvDecoder, iid: number, end: number): void {
  if (end > 0 && (d.bytes[0] as number) >> 6 === OI) {
    if (!d.next(0, end)) return
    d.flag(0, 'tlv.kind-not-allowed',
      `an Object Instance TLV wraps a payload for an instance path; only requests without an instance id use one`)
    if (d.id !== iid) mismatch(d, 'instance', iid)
    const inner = d.valueEnd
    d.instance(d.id, d.valueStart, inner, true)
    if (inner < end) trailing(d, inner, end)
    return
  }
  d.instance(iid, 0, end, false)
}

/** /O/I/R: one Resource TLV, or one Multiple Resource TLV. */
function decodeResourceLevel(d: TlvDecoder, iid: number, rid: number, end: number): void {
  if (end === 0) {
    d.flag(0, 'tlv.empty', `a payload for /${d.objectId}/${iid}/${rid} needs one Resource or Multiple Resource TLV`)
    return
  }
  if (!d.next(0, end)) return
  const after = d.valueEnd
  if (d.kind === RES || d.kind === MR) {
    if (d.id !== rid) mismatch(d, 'resource', rid)
    if (d.kind === RES) d.resource(iid, d.id, d.valueStart, after)
    else d.multiple(iid, d.id, d.valueStart, after)
    if (after < end) trailing(d, after, end)
  } else if (d.kind === RI) {
    // Bare Resource Instance TLVs for a multiple resource: read them as the MR's content.
    d.flag(0, 'tlv.kind-not-allowed',
      `Resource Instance TLVs for /${d.objectId}/${iid}/${rid} must be wrapped in a Multiple Resource TLV`)
    d.start = 0
    d.multiple(iid, rid, 0, end)
  } else {
    d.flag(0, 'tlv.kind-not-allowed', `an Object Instance TLV is not allowed in a payload for a resource path`)
  }
}

/** /O/I/R/RI: one Resource Instance TLV (a Resource TLV with that id is tolerated). */
function decodeResourceInstanceLevel(d: TlvDecoder, iid: number, rid: number, riid: number, end: number): void {
  const where = `/${d.objectId}/${iid}/${rid}/${riid}`
  if (end === 0) {
    d.flag(0, 'tlv.empty', `a payload for ${where} needs one Resource Instance TLV`)
    return
  }
  if (!d.next(0, end)) return
  const after = d.valueEnd
  if (d.kind === RI || d.kind === RES) {
    if (d.kind === RES) {
      d.flag(0, 'tlv.kind-not-allowed', `a Resource TLV answers ${where}; a Resource Instance TLV is expected`)
    }
    if (d.id !== riid) mismatch(d, 'resource instance', riid)
    const rm = d.resourceModel(rid)
    if (rm && !rm.multiple) {
      d.flag(0, 'tlv.multiple-mismatch', `resource /${d.objectId}/${iid}/${rid} is single: it has no instances`)
    }
    const path: Path = [d.objectId, iid, rid, d.id]
    d.records.push({ path, value: d.value(rm, d.valueStart, after, path) })
    if (after < end) trailing(d, after, end)
  } else {
    d.flag(0, 'tlv.kind-not-allowed', `a ${KIND_NAMES[d.kind]} TLV is not allowed in a payload for ${where}`)
  }
}

function mismatch(d: TlvDecoder, what: string, expected: number): void {
  d.flag(d.start, 'tlv.id-mismatch', `the TLV at ${d.start} is for ${what} ${d.id}, the request path names ${expected}`)
}

function trailing(d: TlvDecoder, at: number, end: number): void {
  d.flag(at, 'tlv.trailing-bytes', `${end - at} byte(s) follow the single TLV this path allows; ignored`)
}

// ---------------------------------------------------------------------------------------------
// Encoding

function lengthFieldSize(len: number): number {
  return len < 8 ? 0 : len < 0x100 ? 1 : len < 0x10000 ? 2 : 3
}

function tlvSize(id: number, len: number): number {
  return 1 + (id > 255 ? 2 : 1) + lengthFieldSize(len) + len
}

function intSize(v: number | bigint): number {
  if (typeof v === 'number') {
    if (v >= -0x80 && v <= 0x7f) return 1
    if (v >= -0x8000 && v <= 0x7fff) return 2
    if (v >= -0x80000000 && v <= 0x7fffffff) return 4
    return 8
  }
  if (v >= -0x80n && v <= 0x7fn) return 1
  if (v >= -0x8000n && v <= 0x7fffn) return 2
  if (v >= -0x80000000n && v <= 0x7fffffffn) return 4
  return 8
}

function uintSize(v: number | bigint): number {
  if (typeof v === 'number') return v <= 0xff ? 1 : v <= 0xffff ? 2 : v <= 0xffffffff ? 4 : 8
  return v <= 0xffn ? 1 : v <= 0xffffn ? 2 : v <= 0xffffffffn ? 4 : 8
}

function startsWith(path: Path, base: Path): boolean {
  if (path.length < base.length) return false
  for (let i = 0; i < base.length; i++) if (path[i] !== base[i]) return false
  return true
}

/** Value length in bytes (minimal, C §7.5.5); throws for what TLV cannot carry. */
function valueSize(value: Value, path: Path): number {
  switch (value.type) {
    case 'integer':
    case 'time':
      return intSize(value.value)
    case 'unsigned':
      return uintSize(value.value)
    case 'float':
      // float32 when it holds the value exactly (NaN and ±Infinity included), else float64.
      return Number.isNaN(value.value) || Math.fround(value.value) === value.value ? 4 : 8
    case 'boolean':
      return 1
    case 'objlnk':
      return 4
    case 'string':
    case 'corelnk': {
      const n = utf8Length(value.value)
      if (n < 0) throw refusal('tlv.value', path, ': the string holds a lone surrogate, which UTF-8 cannot carry')
      return n
    }
    case 'opaque':
      return value.value.length
    case 'none':
      return 0
  }
}

// Items of the write plan, in output order, as parallel typed arrays (no object per TLV); a
// leaf refers to its record by index, a container (OI, MR) has record -1.
class Plan {
  readonly kinds: Uint8Array
  readonly ids: Uint16Array
  readonly lens: Int32Array
  readonly recs: Int32Array
  count = 0
  constructor(capacity: number) {
    this.kinds = new Uint8Array(capacity)
    this.ids = new Uint16Array(capacity)
    this.lens = new Int32Array(capacity)
    this.recs = new Int32Array(capacity)
  }
  push(kind: number, id: number, len: number, rec: number): number {
    const i = this.count++
    this.kinds[i] = kind
    this.ids[i] = id
    this.lens[i] = len
    this.recs[i] = rec
    return i
  }
}

function encodeTlv(input: readonly Lwm2mRecord[], ctx: CodecContext): Uint8Array {
  const base = ctx.path
  if (!base || base.length === 0) {
    throw new EncodeError('tlv.path-required', 'TLV needs the request path (/O, /O/I, /O/I/R or /O/I/R/RI)')
  }
  assertIds(base, 'tlv')
  const om = ctx.models?.get(base[0])
  // Sorted output makes the bytes independent of the caller's record order. Records usually
  // come sorted, so the planner checks the order as it goes and only then sorts a copy.
  return (
    planAndWrite(input, base, om) ??
    (planAndWrite([...input].sort((a, b) => comparePaths(a.path, b.path)), base, om) as Uint8Array)
  )
}

/** The payload, or null when the records turn out not to be sorted. */
function planAndWrite(records: readonly Lwm2mRecord[], base: Path, om: ObjectModel | undefined): Uint8Array | null {
  const objectId = base[0] as number
  const plan = new Plan(records.length * 3 + 2)

  let prefix: string | undefined
  let instItem = -1 // plan index of the open OI TLV
  let instId = -1
  let instLen = 0
  let mrItem = -1 // plan index of the open MR TLV
  let mrKey = -1 // iid * 65536 + rid of the open MR
  let mrLen = 0
  let total = 0
  let prev: Lwm2mRecord | undefined
  // Consecutive records mostly share a resource (instances of a multiple resource).
  let lastRid = -1
  let lastRm: ResourceModel | undefined

  const closeMr = (): void => {
    if (mrItem < 0) return
    plan.lens[mrItem] = mrLen
    const size = tlvSize(plan.ids[mrItem] as number, mrLen)
    if (instItem >= 0) instLen += size
    else total += size
    mrItem = -1
    mrKey = -1
  }
  const closeInstance = (): void => {
    closeMr()
    if (instItem < 0) return
    plan.lens[instItem] = instLen
    total += tlvSize(instId, instLen)
    instItem = -1
  }
  const addLeaf = (kind: number, id: number, len: number, rec: number): void => {
    plan.push(kind, id, len, rec)
    const size = tlvSize(id, len)
    if (mrItem >= 0) mrLen += size
    else if (instItem >= 0) instLen += size
    else total += size
  }

  for (let k = 0; k < records.length; k++) {
    const r = records[k] as Lwm2mRecord
    const path = r.path
    if (r.delete) throw refusal('tlv.delete', path, ': TLV cannot express a deletion')
    if (r.prefix !== undefined) {
      // The gateway prefix lives in the request URI, not in TLV: one prefix for all records only.
      if (prefix !== undefined && prefix !== r.prefix) {
        throw refusal('tlv.prefix', path, ': records for two gateway prefixes cannot share one TLV payload')
      }
      prefix = r.prefix
    }
    assertIds(path, 'tlv')
    if (!startsWith(path, base)) {
      throw refusal('tlv.outside-path', path, ` is not under the request path ${formatPath(base)}`)
    }
    const order = prev ? comparePaths(prev.path, path) : -1
    if (order > 0) return null
    if (order === 0) throw refusal('tlv.duplicate-path', path, ' appears twice')
    if (prev && prev.path.length < path.length && startsWith(path, prev.path)) {
      throw refusal('tlv.conflict', path, ` and ${formatPath(prev.path)}: a path is given both as a whole and in parts`)
    }
    prev = r
    const iid = path[1]
    if (path.length === 1 || iid === undefined) {
      throw refusal('tlv.path-depth', path, ': TLV records name an instance, resource or resource instance')
    }
    if (base.length === 1 && iid !== instId) {
      closeInstance()
      instItem = plan.push(OI, iid, 0, -1)
      instId = iid
      instLen = 0
    }
    if (path.length === 2) {
      // Path-only instance record: an empty Object Instance TLV (Create with no values).
      if (r.value !== undefined || base.length !== 1) {
        throw refusal('tlv.path-depth', path, ': an instance record carries no value and needs a request on /O')
      }
      continue
    }
    const rid = path[2] as number
    if (rid !== lastRid) {
      lastRid = rid
      lastRm = resourceOf(om, rid)
    }
    const rm = lastRm
    if (path.length === 3) {
      closeMr()
      if (r.value === undefined) {
        // Path-only resource record: an empty Multiple Resource TLV (zero instances).
        if (om && !rm) throw refusal('tlv.unknown-resource', path, ` is not a resource of object ${objectId}`)
        if (rm && !rm.multiple) throw refusal('tlv.value', path, ': a single resource needs a value')
        const item = plan.push(MR, rid, 0, -1)
        const size = tlvSize(rid, 0)
        if (instItem >= 0) instLen += size
        else total += size
        plan.lens[item] = 0
        continue
      }
      if (rm?.multiple) {
        throw refusal('tlv.multiple', path, ' is a multiple resource: give its values as resource instances')
      }
      assertEncodable(r.value, om, rm, path, 'tlv')
      addLeaf(RES, rid, checkedLength(valueSize(r.value, path), path), k)
      continue
    }
    // Resource instance record.
    if (rm && !rm.multiple) {
      throw refusal('tlv.multiple', path, `: resource ${rid} is single, it has no instances`)
    }
    if (r.value === undefined) throw refusal('tlv.value', path, ': a resource instance needs a value')
    assertEncodable(r.value, om, rm, path, 'tlv')
    const key = iid * 65536 + rid
    if (base.length < 4 && key !== mrKey) {
      closeMr()
      mrItem = plan.push(MR, rid, 0, -1)
      mrKey = key
      mrLen = 0
    }
    addLeaf(RI, path[3] as number, checkedLength(valueSize(r.value, path), path), k)
  }
  closeInstance()

  if (base.length === 3 && plan.count === 0) {
    // No records for a resource path: a multiple resource with zero instances, else nothing to say.
    const rm = resourceOf(om, base[2] as number)
    if (!rm?.multiple) {
      throw refusal('tlv.empty', base, ': a resource payload needs a value')
    }
    plan.push(MR, base[2] as number, 0, -1)
    total += tlvSize(base[2] as number, 0)
  }
  if (base.length === 4 && plan.count !== 1) {
    throw refusal('tlv.empty', base, ': a resource instance payload holds exactly one value')
  }
  if (base.length === 3 && plan.count > 1 && plan.kinds[0] !== MR) {
    throw refusal('tlv.conflict', base, ': one resource, several values')
  }
  return writePlan(plan, records, total)
}

function checkedLength(len: number, path: Path): number {
  if (len > MAX_LENGTH) {
    throw refusal('tlv.too-long', path, `: ${len} bytes exceed the 24-bit TLV length (16 MiB - 1)`)
  }
  return len
}

function writePlan(plan: Plan, records: readonly Lwm2mRecord[], total: number): Uint8Array {
  const out = new Uint8Array(total)
  const view = new DataView(out.buffer)
  let p = 0
  for (let i = 0; i < plan.count; i++) {
    const kind = plan.kinds[i] as number
    const id = plan.ids[i] as number
    const len = plan.lens[i] as number
    if (len > MAX_LENGTH) {
      const what = `a ${KIND_NAMES[kind]} TLV (id ${id}) of ${len} bytes`
      throw new EncodeError('tlv.too-long', `${what} exceeds the 24-bit length (16 MiB - 1)`)
    }
    const lenBytes = lengthFieldSize(len)
    out[p++] = (kind << 6) | (id > 255 ? 0x20 : 0) | (lenBytes === 0 ? len : lenBytes << 3)
    if (id > 255) out[p++] = id >> 8
    out[p++] = id & 0xff
    if (lenBytes === 3) out[p++] = len >> 16
    if (lenBytes >= 2) out[p++] = (len >> 8) & 0xff
    if (lenBytes >= 1) out[p++] = len & 0xff
    const rec = plan.recs[i] as number
    if (rec >= 0) p = writeValue((records[rec] as Lwm2mRecord).value as Value, out, view, p, len)
  }
  return out
}

function writeValue(value: Value, out: Uint8Array, view: DataView, p: number, len: number): number {
  switch (value.type) {
    case 'integer':
    case 'time': {
      const v = value.value
      if (len === 1) view.setInt8(p, Number(v))
      else if (len === 2) view.setInt16(p, Number(v))
      else if (len === 4) view.setInt32(p, Number(v))
      else view.setBigInt64(p, BigInt(v))
      return p + len
    }
    case 'unsigned': {
      const v = value.value
      if (len === 1) view.setUint8(p, Number(v))
      else if (len === 2) view.setUint16(p, Number(v))
      else if (len === 4) view.setUint32(p, Number(v))
      else view.setBigUint64(p, BigInt(v))
      return p + len
    }
    case 'float':
      if (len === 4) view.setFloat32(p, value.value)
      else view.setFloat64(p, value.value)
      return p + len
    case 'boolean':
      out[p] = value.value ? 1 : 0
      return p + 1
    case 'objlnk':
      view.setUint16(p, value.value.objectId)
      view.setUint16(p + 2, value.value.instanceId)
      return p + 4
    case 'string':
    case 'corelnk':
      return writeUtf8(value.value, out, p)
    case 'opaque':
      out.set(value.value, p)
      return p + len
    case 'none':
      return p
  }
}

export const tlvCodec: ContentCodec = {
  format: CF.TLV,
  decode: guardedDecode('tlv', SECTION, decodeTlv),
  encode: encodeTlv
}
