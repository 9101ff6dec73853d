// SPDX-License-Identifier: Apache-2.0
// What SenML JSON, SenML CBOR and their ETCH variants share once the wire syntax is read: base
// name and base time resolution (RFC 8428 §4.5), names as LwM2M paths with an optional gateway
// prefix (facts §2.3, GW §9), typing by the model, duplicate detection, the label rules of each
// dialect (RFC 8428 §4.4, RFC 8790 §4-§5), and the canonical base-name grouping for encoders.
import { EncodeError } from '../codec'
import type { CodecContext } from '../codec'
import type { Path } from '../path'
import type { Lwm2mRecord } from '../record'
import type { ResourceType, Value } from '../value'
import { readObjlnkText, writeObjlnkText } from './objlnk-text'
import type { ViolationList } from '../../violation'
import { decodeBase64Any } from './base64'
import { checkInteger } from './cbor-value'
import { ModelTyper } from './model-typing'

export type SenmlDialect = 'senml' | 'etch'

/** Labels known to the decoders. Names are the JSON keys; CBOR maps its integer labels onto them. */
export const L_BN = 1
export const L_BT = 2
export const L_N = 3
export const L_T = 4
export const L_V = 5
export const L_VS = 6
export const L_VB = 7
export const L_VD = 8
export const L_VLO = 9
/** RFC 8428 labels LwM2M does not use; RFC 8790 still allows u and bu in ETCH packs. */
export const L_BVER = 10
export const L_BU = 11
export const L_BV = 12
export const L_BS = 13
export const L_U = 14
export const L_S = 15
export const L_UT = 16

/** Value kinds a record can carry. */
export const K_NONE = 0
export const K_NUM = 1
export const K_STR = 2
export const K_BOOL = 3
export const K_DATA = 4
export const K_LINK = 5
export const K_NULL = 6

/** Rules that are reported but do not make the record wrong. */
export const SENML_WARNING_RULES: ReadonlySet<string> = new Set([
  'senml.unknown-label',
  'senml.unused-label',
  'senml.non-canonical-base64'
])

/** One record as read from the wire, before resolution. Reused across records. */
export class SenmlDraft {
  start = 0
  baseName: string | undefined = undefined
  baseTime: number | undefined = undefined
  name: string | undefined = undefined
  time: number | undefined = undefined
  kind = K_NONE
  /** The label that carried the value (for messages) and where it started. */
  valueLabel = ''
  valueAt = 0
  valueCount = 0
  num: number | bigint = 0
  numFloat = false
  str = ''
  bool = false
  bytes: Uint8Array | null = null
  /** Bit set of labels seen in this record (duplicate detection). */
  seen = 0

  reset(start: number): void {
    this.start = start
    this.baseName = undefined
    this.baseTime = undefined
    this.name = undefined
    this.time = undefined
    this.kind = K_NONE
    this.valueCount = 0
    this.bytes = null
    this.seen = 0
  }
}

interface NameParse {
  prefix: string | undefined
  path: Path
}

export class SenmlResolver {
  readonly records: Lwm2mRecord[] = []
  private bn = ''
  private bt = 0
  private btSet = false
  private readonly seenPaths = new Set<string>()
  private readonly typer: ModelTyper
  private readonly target: Path | undefined
  /** Set by the CBOR decoders: a CBOR float stays a float without a model. */
  floatWins = false
  /** ETCH only: 1 once a Fetch record (no value) was seen, 2 once a Patch record was. */
  private packKind = 0
  readonly rule: string

  constructor(
    ctx: CodecContext,
    readonly violations: ViolationList,
    readonly dialect: SenmlDialect,
    readonly section: string
  ) {
    this.typer = new ModelTyper(ctx.models)
    this.target = ctx.path
    this.rule = dialect === 'etch' ? 'senml-etch' : 'senml'
  }

  /** A label in a record; reports duplicates. Returns false when the label must be ignored. */
  label(d: SenmlDraft, id: number, at: number, name: string): boolean {
    const bit = 1 << id
    if (d.seen & bit) {
      this.violations.add(
        at,
        'senml.duplicate-label',
        'RFC 8428 §4.2',
        `label "${name}" appears twice in one record; the first is kept`
      )
      return false
    }
    d.seen |= bit
    if (id >= L_BVER) {
      if (this.dialect === 'etch') {
        if (id !== L_U && id !== L_BU) this.notAllowed(at, name)
      }
      else this.violations.add(
        at,
        'senml.unused-label',
        'RFC 8428 §4.5, LwM2M 1.2 Core §7.5.6',
        `label "${name}" is not used by LwM2M and is ignored`
      )
      return false
    }
    return true
  }

  /** A label that is not registered (or not an integer label in CBOR). */
  unknownLabel(at: number, name: string): void {
    if (name.endsWith('_')) {
      this.violations.add(
        at,
        'senml.must-understand',
        'RFC 8428 §4.4',
        `label "${name}" ends with "_" (must understand) and is not understood; the pack should be rejected`
      )
    } else if (this.dialect === 'etch') {
      this.notAllowed(at, name)
    } else {
      this.violations.add(at, 'senml.unknown-label', 'RFC 8428 §4.4', `unknown label "${name}" is ignored`)
    }
  }

  private notAllowed(at: number, name: string): void {
    this.violations.add(
      at,
      'senml-etch.label-not-allowed',
      'RFC 8790 §4-§5',
      `label "${name}" is not allowed in a SenML-ETCH pack`
    )
  }

  /** A value label: keeps the first one and reports the others. Returns false to ignore it. */
  value(d: SenmlDraft, at: number, label: string): boolean {
    d.valueCount++
    if (d.valueCount > 1) {
      this.violations.add(
        at,
        `${this.rule}.multiple-values`,
        'RFC 8428 §4.2',
        `"${label}" is a second value field in one record; the first ("${d.valueLabel}") is kept`
      )
      return false
    }
    d.valueLabel = label
    d.valueAt = at
    return true
  }

  invalid(at: number, label: string, expected: string): void {
    this.violations.add(
      at,
      `${this.rule}.invalid-field`,
      'RFC 8428 §4.2',
      `"${label}" must be ${expected}; ignored`
    )
  }

  /** Turns a finished draft into a record. */
  commit(d: SenmlDraft): void {
    if (d.baseName !== undefined) this.setBase(d.baseName, d.start)
    if (d.baseTime !== undefined) {
      this.bt = d.baseTime
      this.btSet = true
    }
    // Fast path: a base name of whole segments plus a short numeric name ("/3303/7/" + "5700").
    let path: Path | null = null
    let prefix: string | undefined
    if (d.name !== undefined && this.bnIds !== null) {
      path = this.tail(d.name)
      prefix = this.bnPrefix
    }
    if (path === null) {
      const name = d.name === undefined ? this.bn : this.bn + d.name
      if (name === '') {
        this.violations.add(
          d.start,
          `${this.rule}.missing-name`,
          'RFC 8428 §4.5.1',
          'the record has no name and no base name applies'
        )
        return
      }
      const parsed = this.parseName(name, d.start)
      if (parsed === null) return
      path = parsed.path
      prefix = parsed.prefix
    }
    const target = this.target
    if (target !== undefined && !startsWith(path, target)) {
      this.violations.add(
        d.start,
        `${this.rule}.outside-target`,
        'LwM2M 1.2 Core §7.5.6',
        `${nameOf(prefix, path)} lies outside the request path`
      )
    }
    let time: number | undefined
    if (d.time !== undefined || this.btSet) time = this.bt + (d.time ?? 0)

    let value: Value | undefined
    let del = false
    if (d.kind === K_NULL) {
      if (this.dialect === 'etch' && d.valueLabel === 'v') {
        del = true
        value = { type: 'none', value: null }
      } else {
        this.violations.add(
          d.valueAt,
          `${this.rule}.null-value`,
          'RFC 8790 §5',
          'null is only allowed for "v" in a SenML-ETCH Patch Pack'
        )
      }
    } else if (d.kind !== K_NONE) {
      value = this.typed(d, path)
    }
    if (this.dialect === 'etch') {
      const kind = d.kind === K_NONE ? 1 : 2
      if (this.packKind !== 0 && this.packKind !== kind) {
        this.violations.add(
          d.start,
          'senml-etch.mixed-pack',
          'RFC 8790 §4-§5',
          'a Fetch Pack has only names and a Patch Pack only records with values; this pack mixes them'
        )
      }
      this.packKind = kind
    }
    if (value !== undefined && path.length < 3) {
      this.violations.add(
        d.valueAt,
        `${this.rule}.value-above-resource`,
        'LwM2M 1.2 Core §7.5.6',
        `${nameOf(prefix, path)} names an object or instance, it cannot carry a value`
      )
    }
    if (this.isDuplicate(prefix, path, time)) {
      this.violations.add(
        d.start,
        `${this.rule}.duplicate-path`,
        'LwM2M 1.2 Core §7.5.6',
        `${nameOf(prefix, path)} appears twice${time === undefined ? '' : ' with the same time'}`
      )
    }
    if (prefix === undefined && time === undefined && !del) {
      this.records.push(value === undefined ? { path } : { path, value })
      return
    }
    const rec: { -readonly [K in keyof Lwm2mRecord]: Lwm2mRecord[K] } = { path }
    if (prefix !== undefined) rec.prefix = prefix
    if (value !== undefined) rec.value = value
    if (time !== undefined) rec.time = time
    if (del) rec.delete = true
    this.records.push(rec)
  }

  /**
   * Paths up to resource level without prefix or time are keyed by one number below 2^50,
   * ((O*65536 + I) * 2^18 + R*4 + length), which orders like the path; everything else by its
   * path text. Packs mostly list paths in ascending order, and a key above every earlier one
   * cannot repeat one, so keys are only collected until the order first breaks; from then on a Set
   * answers (one hash lookup per record was the largest cost after the JSON reading itself).
   */
  private isDuplicate(prefix: string | undefined, path: Path, time: number | undefined): boolean {
    if (prefix === undefined && time === undefined && path.length <= 3) {
      const key = ((path[0] ?? 0) * 65536 + (path[1] ?? 0)) * 262144 + (path[2] ?? 0) * 4 + path.length
      let set = this.seenSet
      if (set === null) {
        if (key > this.lastKey) {
          this.lastKey = key
          this.seenKeys.push(key)
          return false
        }
        set = this.seenSet = new Set(this.seenKeys)
        this.seenKeys.length = 0
      }
      if (set.has(key)) return true
      set.add(key)
      return false
    }
    const key = nameOf(prefix, path) + (time === undefined ? '' : '@' + time)
    if (this.seenPaths.has(key)) return true
    this.seenPaths.add(key)
    return false
  }

  /** Numeric keys in ascending order while the pack keeps to it (see isDuplicate). */
  private readonly seenKeys: number[] = []
  private lastKey = -1
  private seenSet: Set<number> | null = null
  /** The base name split once: its ids when it is whole segments ("", "/", "/3/0/", "/gw/3/"). */
  private bnIds: number[] | null = []
  private bnPrefix: string | undefined = undefined

  private setBase(bn: string, at: number): void {
    this.bn = bn
    this.bnIds = segmentIds(bn)
    this.bnPrefix = undefined
    if (this.bnIds !== null || bn.charCodeAt(bn.length - 1) !== 47) return
    // A prefixed base ("/dev1/3/0/"): parse quietly; a bad one is reported by the general path.
    const saved = this.violations.mark()
    const parsed = this.parseName(bn, at)
    if (parsed === null) {
      this.violations.rollback(saved)
      return
    }
    this.bnIds = parsed.path as unknown as number[]
    this.bnPrefix = parsed.prefix
  }

  /** Base ids + a name made of canonical decimal segments, or null to take the general path. */
  private tail(n: string): Path | null {
    const base = this.bnIds as number[]
    const len = n.length
    if (len === 0) return null
    let p = 0
    if (n.charCodeAt(0) === 47) {
      if (this.bn !== '') return null
      p = 1
    }
    // Up to four ids: the base's, then the name's, in locals (no scratch array per record).
    const k = base.length
    let a = k > 0 ? (base[0] as number) : 0
    let b = k > 1 ? (base[1] as number) : 0
    let c = k > 2 ? (base[2] as number) : 0
    let d = k > 3 ? (base[3] as number) : 0
    let count = k
    for (;;) {
      if (count === 4) return null
      const v = segment(n, p, len)
      if (v < 0) return null
      if (count === 0) a = v
      else if (count === 1) b = v
      else if (count === 2) c = v
      else d = v
      count++
      p = segEndPos
      if (p === len) break
      if (n.charCodeAt(p) !== 47) return null
      p++
    }
    // Exact-size literals keep the path arrays packed.
    switch (count) {
      case 1:
        return [a]
      case 2:
        return [a, b]
      case 3:
        return [a, b, c]
      default:
        return [a, b, c, d]
    }
  }

  private wrongKind(d: SenmlDraft, type: ResourceType | undefined, path: Path): void {
    this.violations.add(
      d.valueAt,
      `${this.rule}.wrong-value-kind`,
      'LwM2M 1.2 Core §7.5.6 Tbl 7.5.6-1',
      `"${d.valueLabel}" cannot carry the ${type} resource /${path.join('/')}`
    )
  }

  private typed(d: SenmlDraft, path: Path): Value | undefined {
    const model = path.length >= 3 ? this.typer.resource(path) : undefined
    const type = model?.type
    if (model !== undefined && model.multiple !== (path.length === 4)) {
      this.violations.add(
        d.valueAt,
        model.multiple ? `${this.rule}.instances-expected` : `${this.rule}.not-multiple`,
        'LwM2M 1.2 Core §7.5.6',
        model.multiple
          ? `/${path.join('/')} is a multiple resource; its values are named /O/I/R/RI`
          : `/${path.slice(0, 3).join('/')} is a single resource, it has no instances`
      )
    }
    switch (d.kind) {
      case K_NUM:
        return this.number(d, type, path)
      case K_STR:
        if (type === 'corelnk') return { type: 'corelnk', value: d.str }
        if (type !== undefined && type !== 'string') this.wrongKind(d, type, path)
        return { type: 'string', value: d.str }
      case K_BOOL:
        if (type !== undefined && type !== 'boolean') this.wrongKind(d, type, path)
        return { type: 'boolean', value: d.bool }
      case K_DATA:
        if (type !== undefined && type !== 'opaque') this.wrongKind(d, type, path)
        return { type: 'opaque', value: d.bytes as Uint8Array }
      case K_LINK: {
        const link = readObjlnkText(d.str)
        if (link === null) {
          this.violations.add(
            d.valueAt,
            `${this.rule}.invalid-objlnk`,
            'LwM2M 1.2 Core App. C Tbl C-2',
            `"${d.str}" is not an object link "OID:IID"`
          )
          return undefined
        }
        if (type !== undefined && type !== 'objlnk') this.wrongKind(d, type, path)
        return { type: 'objlnk', value: link }
      }
      default:
        return undefined
    }
  }

  private number(d: SenmlDraft, type: ResourceType | undefined, path: Path): Value {
    const n = d.num
    const integral = typeof n === 'bigint' || Number.isInteger(n)
    if (type === undefined) {
      // Without a model: the CBOR wire type when it says float, else integral means integer.
      if (d.numFloat && this.floatWins) return { type: 'float', value: n as number }
      return integral ? { type: 'integer', value: n === 0 ? 0 : n } : { type: 'float', value: n as number }
    }
    if (type === 'float') return { type: 'float', value: Number(n) }
    if (type === 'integer' || type === 'unsigned' || type === 'time') {
      if (!integral) {
        this.violations.add(
          d.valueAt,
          `${this.rule}.not-an-integer`,
          'LwM2M 1.2 Core App. C Tbl C-1',
          `${n} is not a whole number, the resource is ${type}`
        )
        return { type: 'float', value: n as number }
      }
      const big = typeof n === 'bigint' ? n : null
      if (type === 'unsigned' && n < 0) {
        this.violations.add(
          d.valueAt,
          `${this.rule}.out-of-range`,
          'LwM2M 1.2 Core App. C Tbl C-1',
          `${n} is negative, the resource is unsigned`
        )
        return { type: 'integer', value: n }
      }
      if (big !== null && (type === 'unsigned' ? big > 2n ** 64n - 1n : big < -(2n ** 63n) || big > 2n ** 63n - 1n)) {
        this.violations.add(
          d.valueAt,
          `${this.rule}.out-of-range`,
          'LwM2M 1.2 Core App. C Tbl C-1',
          `${n} does not fit 64 bits`
        )
      }
      return { type, value: n === 0 ? 0 : n }
    }
    this.wrongKind(d, type, path)
    return integral ? { type: 'integer', value: n } : { type: 'float', value: n as number }
  }

  /** bn + n as /[prefix/]O/I/R/RI; null (after a violation) when it is no LwM2M path. */
  private parseName(name: string, at: number): NameParse | null {
    const len = name.length
    let p = name.charCodeAt(0) === 47 ? 1 : 0
    let prefix: string | undefined
    const ids: number[] = []
    while (p < len) {
      let c = name.charCodeAt(p)
      if (c >= 48 && c <= 57) {
        const segStart = p
        let v = 0
        do {
          v = v * 10 + (c - 48)
          c = name.charCodeAt(++p)
        } while (c >= 48 && c <= 57)
        if ((name.charCodeAt(segStart) === 48 && p - segStart > 1) || v >= 65535) return this.badName(
          name,
          at,
          `id "${name.slice(segStart, p)}" is not 0..65534 without leading zeros`
        )
        if (ids.length === 4) return this.badName(name, at, 'a path has at most 4 ids')
        ids.push(v)
      } else if (ids.length === 0 && prefix === undefined && c !== 47) {
        const segStart = p
        while (p < len && name.charCodeAt(p) !== 47) p++
        prefix = name.slice(segStart, p)
      } else return this.badName(
        name,
        at,
        ids.length === 0 && prefix === undefined ? 'empty segment' : 'a segment after the prefix is not a decimal id'
      )
      if (p < len) {
        if (name.charCodeAt(p) !== 47) return this.badName(name, at, 'a segment is not a decimal id')
        p++
        if (p < len && name.charCodeAt(p) === 47) return this.badName(name, at, 'empty segment')
      }
    }
    return { prefix, path: ids as unknown as Path }
  }

  private badName(name: string, at: number, why: string): null {
    this.violations.add(
      at,
      `${this.rule}.invalid-name`,
      'LwM2M 1.2 Core §7.5.6, GW §9',
      `"${name}" is not an LwM2M path: ${why}`
    )
    return null
  }

  /** Reads vd text (base64url unpadded canonically; padded and standard base64 accepted). */
  data(d: SenmlDraft, at: number, text: string): void {
    const decoded = decodeBase64Any(text)
    if (decoded === null) {
      this.violations.add(
        at,
        `${this.rule}.invalid-base64`,
        'LwM2M 1.2 Core App. C Tbl C-2',
        '"vd" is not base64 or base64url'
      )
      d.kind = K_NONE
      return
    }
    if (!decoded.canonical) {
      this.violations.add(
        at,
        'senml.non-canonical-base64',
        'LwM2M 1.2 Core App. C Tbl C-2',
        '"vd" uses padding or the standard alphabet; base64url without padding is canonical'
      )
    }
    d.kind = K_DATA
    d.bytes = decoded.bytes
  }
}

let segEndPos = 0

/** A canonical decimal id (0..65534, no leading zero) at p, or -1; its end goes to segEndPos. */
function segment(n: string, p: number, len: number): number {
  let c = n.charCodeAt(p)
  if (c < 48 || c > 57) return -1
  if (c === 48 && p + 1 < len && n.charCodeAt(p + 1) !== 47) return -1
  let v = 0
  do {
    v = v * 10 + (c - 48)
    c = n.charCodeAt(++p)
  } while (c >= 48 && c <= 57)
  segEndPos = p
  return v >= 65535 ? -1 : v
}

/** Ids of "", "/" or "/3/0/" (canonical decimal segments, each closed by "/"), else null. */
function segmentIds(bn: string): number[] | null {
  const len = bn.length
  if (len === 0) return []
  if (bn.charCodeAt(0) !== 47) return null
  // Ids in locals, then one exact-size array: a base name comes with nearly every record.
  let a = 0
  let b = 0
  let c = 0
  let d = 0
  let count = 0
  let p = 1
  while (p < len) {
    let ch = bn.charCodeAt(p)
    if (ch < 48 || ch > 57 || (ch === 48 && bn.charCodeAt(p + 1) !== 47)) return null
    let v = 0
    do {
      v = v * 10 + (ch - 48)
      ch = bn.charCodeAt(++p)
    } while (ch >= 48 && ch <= 57)
    if (ch !== 47 || v >= 65535 || count === 4) return null
    if (count === 0) a = v
    else if (count === 1) b = v
    else if (count === 2) c = v
    else d = v
    count++
    p++
  }
  switch (count) {
    case 0:
      return []
    case 1:
      return [a]
    case 2:
      return [a, b]
    case 3:
      return [a, b, c]
    default:
      return [a, b, c, d]
  }
}

function nameOf(prefix: string | undefined, path: Path): string {
  return (prefix === undefined ? '' : '/' + prefix) + '/' + path.join('/')
}

function startsWith(inner: Path, outer: Path): boolean {
  if (outer.length > inner.length) return false
  for (let i = 0; i < outer.length; i++) if (inner[i] !== outer[i]) return false
  return true
}

/**
 * Canonical naming for encoders (our rule, deterministic): records keep their order; a record
 * below instance level gets the base name "/[prefix/]O/I/" and the short name "R" or "R/RI"; an
 * object, instance or root record gets the base name "/[prefix/]" and the rest as its name (none
 * for the root). "bn" is written only when it differs from the one in force, "t" (absolute) only
 * when the record has a time, and "bt" never.
 */
export class SenmlNamer {
  private current: string | undefined = undefined
  /** Base name to write for the last record, or undefined when the one in force still applies. */
  bn: string | undefined = undefined
  /** Name to write for the last record, or undefined for none. */
  n: string | undefined = undefined

  constructor(readonly rule: string) {}

  next(rec: Lwm2mRecord): void {
    const path = rec.path
    const prefix = rec.prefix
    let base = '/'
    if (prefix !== undefined) {
      if (prefix === '' || prefix.includes('/') || /^[0-9]/.test(prefix)) {
        throw new EncodeError(
          `${this.rule}.invalid-prefix`,
          `gateway prefix "${prefix}" must be non-empty, without "/" and not start with a digit`,
          '/' + path.join('/')
        )
      }
      base += prefix + '/'
    }
    for (const id of path) {
      if (!Number.isInteger(id) || id < 0 || id > 65534) throw new EncodeError(
        `${this.rule}.invalid-path`,
        `id ${id} is not 0..65534`,
        '/' + path.join('/')
      )
    }
    if (path.length >= 3) {
      base += `${path[0]}/${path[1]}/`
      this.n = path.length === 3 ? String(path[2]) : `${path[2]}/${path[3]}`
    } else this.n = path.length === 0 ? undefined : path.join('/')
    this.bn = base === this.current ? undefined : base
    this.current = base
  }
}

/** ETCH: a pack is all Fetch (names only) or all Patch (values or deletes). */
export function etchKind(rec: Lwm2mRecord, kind: number): number {
  const k = rec.value === undefined && rec.delete !== true ? 1 : 2
  if (kind !== 0 && kind !== k) {
    throw new EncodeError(
      'senml-etch.mixed-pack',
      'a SenML-ETCH pack is either a Fetch Pack (names only) or a Patch Pack (values)',
      '/' + rec.path.join('/')
    )
  }
  return k
}

/**
 * What a record's value field holds, whatever the syntax (C §7.5.6 Tbl 7.5.6-1): "v" for a
 * deletion, an integer or a float, "vs", "vb", "vd", or "vlo" with the link already as text.
 */
export type SenmlValueField =
  | { readonly kind: 'delete' }
  | { readonly kind: 'integer'; readonly value: number | bigint }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'opaque'; readonly value: Uint8Array }
  | { readonly kind: 'objlnk'; readonly value: string }

/**
 * The value field of `rec`, or null when it has none, after the checks both encoders make (a
 * deletion only in ETCH, integer ranges, an objlnk's text, no value for an executable); so that
 * SenML JSON and SenML CBOR refuse exactly the same records with the same EncodeError.
 */
export function senmlValueField(rec: Lwm2mRecord, dialect: SenmlDialect, rule: string): SenmlValueField | null {
  const where = '/' + rec.path.join('/')
  if (rec.delete === true) {
    if (dialect !== 'etch') throw new EncodeError(
      `${rule}.delete`,
      'only a SenML-ETCH Patch Pack can delete',
      where
    )
    return { kind: 'delete' }
  }
  const v = rec.value
  if (v === undefined) return null
  switch (v.type) {
    case 'integer':
    case 'time':
      checkInteger(v.value, -(2n ** 63n), 2n ** 63n - 1n, rule, where)
      return { kind: 'integer', value: v.value }
    case 'unsigned':
      checkInteger(v.value, 0n, 2n ** 64n - 1n, rule, where)
      return { kind: 'integer', value: v.value }
    case 'float':
      return { kind: 'float', value: v.value }
    case 'string':
    case 'corelnk':
      return { kind: 'string', value: v.value }
    case 'boolean':
      return { kind: 'boolean', value: v.value }
    case 'opaque':
      return { kind: 'opaque', value: v.value }
    case 'objlnk':
      return { kind: 'objlnk', value: writeObjlnkText(v.value, rule, where) }
    case 'none':
      throw new EncodeError(
        `${rule}.none-value`,
        'SenML has no value for an executable (none) resource; leave the value out',
        where
      )
  }
}
