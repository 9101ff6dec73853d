// SPDX-License-Identifier: Apache-2.0
// LwM2M CBOR (CF 11544, C §7.5.4, facts §2.5): nested maps keyed by path segments. A key is one
// uint segment or an array of them (definite or indefinite), both styles mixed at any level; the
// top level always starts at the Object ID; a top-level key array may begin with a gateway prefix
// text (GW §9-§10). Leaves are values per Tbl C-2.
//
// Choices where the spec is silent or awkward (facts §2.5, §7):
// - Duplicate paths (also a resource given both as a value and as instances) are rejected with
//   "lwm2m-cbor.duplicate-path"; the later record is still returned so the inspector can show it.
// - Instance 65535 (MAX_ID) means "no instance ID" in a Create (1.2.1). The codec context has no
//   operation, so an object-level request path (/O, which over CoAP can only be a Create, C §6.3.6)
//   is taken as the Create: there [O, 65535, ...] is accepted silently. Anywhere else 65535 is
//   reported as "lwm2m-cbor.reserved-id" and the record is kept. Paths are built directly, since
//   parsePath refuses 65535.
// - null is read as a 'none' value; for a resource the model types otherwise it is a violation.
//
// Canonical encoding (ours): one top-level entry per object instance, in order of first
// appearance, keyed by the array [O, I] (or ["prefix", O, I]); inside, resource ids as uint keys
// in order of first appearance; a multi-instance resource's value is a map of instance id → value.
// Preferred serialization throughout; Time as a plain integer. This reproduces the facts file's
// examples {[3,0]:{0:"ACME",9:87}}, {[5,0]:{1:"coaps://…"}} and the gateway shape.
import { CborError, CborReader, MAJOR_ARRAY, MAJOR_MAP, MAJOR_TEXT, MAJOR_UINT } from '../../cbor/reader'
import { CborWriter } from '../../cbor/writer'
import { EncodeError, type CodecContext, type ContentCodec } from '../codec'
import { CF } from '../content-format'
import { MAX_ID } from '../ids'
import type { Path } from '../path'
import type { DecodeResult, Lwm2mRecord } from '../record'
import type { Value } from '../value'
import { counted, decodeViolations } from './counted'
import { readCborValue, writeCborValue } from './cbor-value'
import { ModelTyper } from './model-typing'

const SECTION = 'LwM2M 1.2 Core §7.5.4'
const SITE = { rule: 'lwm2m-cbor', section: SECTION }

class Lwm2mCborDecoder {
  readonly records: Lwm2mRecord[] = []
  private readonly seen = new LeafSet()
  private readonly typer: ModelTyper
  private readonly createObject: number

  constructor(
    private readonly r: CborReader,
    private readonly ctx: CodecContext
  ) {
    this.typer = new ModelTyper(ctx.models)
    this.createObject = ctx.path !== undefined && ctx.path.length === 1 ? (ctx.path[0] as number) : -1
  }

  map(base: readonly number[], prefix: string | undefined): void {
    const r = this.r
    const at = r.pos
    const n = r.readMapStart()
    if (n === 0 || (n < 0 && r.atBreak())) {
      r.violations.add(at, 'lwm2m-cbor.empty-map', SECTION, 'a map must have at least one entry')
    }
    for (let i = 0; n < 0 ? !r.atBreak() : i < n; i++) this.entry(base, prefix)
    r.leave(n < 0)
  }

  private entry(base: readonly number[], prefix: string | undefined): void {
    const r = this.r
    const keyAt = r.pos
    const path = base.slice()
    r.more()
    const km = r.peekMajor()
    let ok = true
    if (km === MAJOR_UINT) {
      ok = this.segment(path, r.readUint(), keyAt)
    } else if (km === MAJOR_ARRAY) {
      const c = r.readArrayStart()
      for (let j = 0; c < 0 ? !r.atBreak() : j < c; j++) {
        const at = r.pos
        r.more()
        const em = r.peekMajor()
        if (em === MAJOR_UINT) ok = this.segment(path, r.readUint(), at) && ok
        else if (em === MAJOR_TEXT && j === 0 && base.length === 0) prefix = r.readText()
        else {
          r.violations.add(
            at,
            'lwm2m-cbor.invalid-key',
            SECTION,
            em === MAJOR_TEXT ? 'a text prefix may only open a top-level key array' : 'key arrays hold unsigned integers'
          )
          r.skip()
          ok = false
        }
      }
      r.leave(c < 0)
      if (path.length === base.length && ok) {
        r.violations.add(keyAt, 'lwm2m-cbor.empty-key', SECTION, 'the key array names no path segment')
        ok = false
      }
    } else {
      r.violations.add(
        keyAt,
        'lwm2m-cbor.invalid-key',
        SECTION,
        'a key is an unsigned integer or an array of them'
      )
      r.skip()
      ok = false
    }
    if (ok && path.length > 4) {
      r.violations.add(
        keyAt,
        'lwm2m-cbor.path-too-deep',
        SECTION,
        `/${path.join('/')} is deeper than a resource instance`
      )
      ok = false
    }
    if (!ok) {
      r.skip()
      return
    }
    r.more()
    if (r.peekMajor() === MAJOR_MAP) {
      if (path.length === 4) {
        r.violations.add(
          r.pos,
          'lwm2m-cbor.path-too-deep',
          SECTION,
          `a map below the resource instance /${path.join('/')}`
        )
        r.skip()
      } else this.map(path, prefix)
      return
    }
    this.leaf(path as unknown as Path, prefix, keyAt)
  }

  private segment(path: number[], id: number | bigint, at: number): boolean {
    if (typeof id === 'bigint' || id > MAX_ID) {
      this.r.violations.add(at, 'lwm2m-cbor.invalid-id', SECTION, `${id} is not a 16-bit id`)
      return false
    }
    if (id === MAX_ID && !(path.length === 1 && path[0] === this.createObject)) {
      this.r.violations.add(
        at,
        'lwm2m-cbor.reserved-id',
        'LwM2M 1.2 Core App. C Tbl C-1, §7.5.4',
        '65535 is reserved; it stands for "no instance ID" only in a Create on /O'
      )
    }
    path.push(id)
    return true
  }

  private leaf(path: Path, prefix: string | undefined, keyAt: number): void {
    const r = this.r
    if (path.length < 3) {
      r.violations.add(
        keyAt,
        'lwm2m-cbor.value-above-resource',
        SECTION,
        `/${path.join('/')} is an object or instance, it cannot hold a value`
      )
      r.skip()
      return
    }
    const model = this.typer.resource(path)
    const value: Value | undefined = readCborValue(r, model?.type, SITE)
    if (value === undefined) return
    if (model !== undefined) {
      if (model.multiple && path.length === 3) {
        r.violations.add(
          keyAt,
          'lwm2m-cbor.instances-expected',
          SECTION,
          `/${path.join('/')} is a multiple resource; its values are keyed by instance id`
        )
      } else if (!model.multiple && path.length === 4) {
        r.violations.add(
          keyAt,
          'lwm2m-cbor.not-multiple',
          SECTION,
          `/${path.slice(0, 3).join('/')} is a single resource, it has no instances`
        )
      }
    }
    if (this.seen.addLeaf(prefix, path)) {
      r.violations.add(
        keyAt,
        'lwm2m-cbor.duplicate-path',
        SECTION,
        `/${path.join('/')} is given more than once (the spec leaves this undefined; rejected)`
      )
    }
    const target = this.ctx.path
    if (target !== undefined && !startsWith(path, target)) {
      r.violations.add(
        keyAt,
        'lwm2m-cbor.outside-target',
        SECTION,
        `/${path.join('/')} lies outside the request path`
      )
    }
    this.records.push(prefix === undefined ? { path, value } : { path, prefix, value })
  }
}

/**
 * Leaf paths seen so far, for duplicate detection: a resource value /O/I/R clashes with itself
 * and with any instance /O/I/R/RI, and an instance with itself and with the resource value.
 * Keys are numbers, not path text (building text per leaf was the decoder's hot spot): per
 * object instance, R*4 marks a resource value, R*4+1 "has instances", (R*65536+RI)*4+2 an
 * instance (distinct residues mod 4, all below 2^34). An instance with a single key keeps it as a
 * number; a Set is made only when it gets a second one.
 */
class LeafSet {
  private readonly byInstance = new Map<number | string, number | Set<number>>()

  /** Records the leaf; true when it clashes with one seen before. */
  addLeaf(prefix: string | undefined, path: Path): boolean {
    const o = path[0] as number
    const i = path[1] as number
    const r = path[2] as number
    const outer = prefix === undefined ? o * 65536 + i : `${prefix}|${o}/${i}`
    if (path.length === 3) {
      const single = r * 4
      return this.add(outer, single, single, single + 1)
    }
    const inst = (r * 65536 + (path[3] as number)) * 4 + 2
    const clash = this.add(outer, inst, inst, r * 4)
    this.add(outer, r * 4 + 1, -1, -1)
    return clash
  }

  /** Adds `key` under `outer`; true when `a` or `b` was there before. */
  private add(outer: number | string, key: number, a: number, b: number): boolean {
    const prev = this.byInstance.get(outer)
    if (prev === undefined) {
      this.byInstance.set(outer, key)
      return false
    }
    if (typeof prev === 'number') {
      if (prev === a || prev === b) return true
      if (prev !== key) this.byInstance.set(outer, new Set([prev, key]))
      return false
    }
    const clash = prev.has(a) || prev.has(b)
    prev.add(key)
    return clash
  }
}

function startsWith(inner: Path, outer: Path): boolean {
  if (outer.length > inner.length) return false
  for (let i = 0; i < outer.length; i++) if (inner[i] !== outer[i]) return false
  return true
}

export function decodeLwm2mCbor(bytes: Uint8Array, ctx: CodecContext): DecodeResult {
  const violations = decodeViolations()
  const r = new CborReader(bytes, violations)
  const dec = new Lwm2mCborDecoder(r, ctx)
  try {
    if (r.peekMajor() !== MAJOR_MAP) r.fail(
      0,
      'lwm2m-cbor.not-a-map',
      'an LwM2M CBOR payload is a map',
      SECTION
    )
    dec.map([], undefined)
    r.finish()
  } catch (e) {
    if (!(e instanceof CborError)) throw e
  }
  return counted(dec.records, violations)
}

interface Group {
  readonly prefix: string | undefined
  readonly o: number
  readonly i: number
  /** Resource id → value (single) or instance id → value (multiple), in order of appearance. */
  readonly resources: Map<number, Value | Map<number, Value>>
}

export function encodeLwm2mCbor(records: readonly Lwm2mRecord[], _ctx: CodecContext, w = new CborWriter(64 + records.length * 12)): Uint8Array {
  // The grammar wants at least one entry; an empty answer is an empty payload, not an empty map.
  if (records.length === 0) throw new EncodeError(
    'lwm2m-cbor.empty',
    'LwM2M CBOR needs at least one record; send an empty payload instead'
  )
  const groups = new Map<string, Group>()
  for (const rec of records) {
    const path = rec.path
    const where = (rec.prefix === undefined ? '' : '/' + rec.prefix) + '/' + path.join('/')
    if (rec.value === undefined || rec.delete === true) throw new EncodeError(
      'lwm2m-cbor.no-value',
      'LwM2M CBOR carries values only',
      where
    )
    if (rec.time !== undefined) throw new EncodeError(
      'lwm2m-cbor.time',
      'LwM2M CBOR has no timestamps; use SenML for timed values',
      where
    )
    if (path.length < 3) throw new EncodeError(
      'lwm2m-cbor.value-above-resource',
      'a value needs a resource or resource-instance path',
      where
    )
    for (const id of path) {
      if (!Number.isInteger(id) || id < 0 || id > MAX_ID) throw new EncodeError(
        'lwm2m-cbor.invalid-id',
        `id ${id} is not 0..65535`,
        where
      )
    }
    if (rec.prefix !== undefined && rec.prefix === '') throw new EncodeError(
      'lwm2m-cbor.invalid-prefix',
      'the gateway prefix is empty',
      where
    )
    const gk = (rec.prefix === undefined ? '' : rec.prefix + '|') + path[0] + '/' + path[1]
    let g = groups.get(gk)
    if (g === undefined) {
      g = { prefix: rec.prefix, o: path[0] as number, i: path[1] as number, resources: new Map() }
      groups.set(gk, g)
    }
    const rid = path[2] as number
    const existing = g.resources.get(rid)
    if (path.length === 3) {
      if (existing !== undefined) throw new EncodeError(
        'lwm2m-cbor.duplicate-path',
        'the resource is given twice',
        where
      )
      g.resources.set(rid, rec.value)
    } else {
      if (existing !== undefined && !(existing instanceof Map)) throw new EncodeError(
        'lwm2m-cbor.duplicate-path',
        'the resource is given as a value and as instances',
        where
      )
      const inst = existing ?? new Map<number, Value>()
      if (inst.has(path[3] as number)) throw new EncodeError(
        'lwm2m-cbor.duplicate-path',
        'the resource instance is given twice',
        where
      )
      inst.set(path[3] as number, rec.value)
      if (existing === undefined) g.resources.set(rid, inst)
    }
  }
  w.mapHeader(groups.size)
  for (const g of groups.values()) {
    if (g.prefix === undefined) {
      w.arrayHeader(2)
    } else {
      w.arrayHeader(3)
      w.text(g.prefix)
    }
    w.int(g.o)
    w.int(g.i)
    w.mapHeader(g.resources.size)
    for (const [rid, v] of g.resources) {
      w.int(rid)
      if (v instanceof Map) {
        w.mapHeader(v.size)
        for (const [ri, iv] of v) {
          w.int(ri)
          writeCborValue(w, iv, 'lwm2m-cbor', `/${g.o}/${g.i}/${rid}/${ri}`)
        }
      } else writeCborValue(w, v, 'lwm2m-cbor', `/${g.o}/${g.i}/${rid}`)
    }
  }
  return w.finish()
}

export const lwm2mCborCodec: ContentCodec = {
  format: CF.LWM2M_CBOR,
  decode: decodeLwm2mCbor,
  encode: encodeLwm2mCbor
}
