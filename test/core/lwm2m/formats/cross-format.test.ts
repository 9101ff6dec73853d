// Round trips between every pair of hierarchical formats (C §7.5) over objects of the OMA registry:
// records → format A → records → format B → records must give back the same typed records.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { decodePayload, encodePayload } from '../../../../src-main/core/lwm2m/formats/all'
import { CF } from '../../../../src-main/core/lwm2m/content-format'
import type { ObjectModel, ResourceModel } from '../../../../src-main/core/lwm2m/model'
import { ModelRegistry } from '../../../../src-main/core/lwm2m/model/model-registry'
import { comparePaths, type Path } from '../../../../src-main/core/lwm2m/path'
import type { Lwm2mRecord } from '../../../../src-main/core/lwm2m/record'
import type { Value } from '../../../../src-main/core/lwm2m/value'

const models = new ModelRegistry()
for (const m of JSON.parse(readFileSync(fileURLToPath(new URL('../../../../resources/models/models.json', import.meta.url)), 'utf8')) as ObjectModel[])
  models.add(m, 'shipped')

// Objects with resources of every value type; range-free resources keep the generator simple.
const usable = (r: ResourceModel) => r.type !== 'none' && r.range === ''
const objects = models.list().filter((m) => m.id < 40000 && m.resources.filter(usable).length >= 3)

function valueArb(type: ResourceModel['type']): fc.Arbitrary<Value> {
  switch (type) {
    case 'string':
      return fc.string({ maxLength: 12 }).map((value) => ({ type, value }))
    case 'corelnk':
      return fc.constantFrom('</3/0>', '</1/0>;ssid=101').map((value) => ({ type, value }))
    case 'integer':
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((value) => ({ type, value }))
    case 'unsigned':
      return fc.integer({ min: 0, max: 2 ** 32 - 1 }).map((value) => ({ type, value }))
    case 'time':
      return fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((value) => ({ type, value }))
    case 'float':
      return fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }).filter((x) => !Object.is(x, -0)).map((value) => ({ type, value }))
    case 'boolean':
      return fc.boolean().map((value) => ({ type, value }))
    case 'opaque':
      return fc.uint8Array({ maxLength: 24 }).map((value) => ({ type, value }))
    case 'objlnk':
      return fc.record({ objectId: fc.integer({ min: 0, max: 65534 }), instanceId: fc.integer({ min: 0, max: 65534 }) }).map((value) => ({ type, value }))
    default:
      throw new Error(`no generator for ${type}`)
  }
}

/** One object instance with a random subset of its resources (multiple ones with 1–3 instances). */
const instanceArb = fc.constantFrom(...objects).chain((m) =>
  fc.tuple(
    fc.constant(m),
    fc.integer({ min: 0, max: 300 }),
    fc.subarray(m.resources.filter(usable), { minLength: 1 }).chain((rs) =>
      fc.tuple(...rs.map((r) => (r.multiple ? fc.array(valueArb(r.type), { minLength: 1, maxLength: 3 }).map((vs) => [r, vs] as const) : valueArb(r.type).map((v) => [r, [v]] as const))))
    )
  )
)

function toRecords(m: ObjectModel, iid: number, rs: readonly (readonly [ResourceModel, readonly Value[]])[]): Lwm2mRecord[] {
  const out: Lwm2mRecord[] = []
  for (const [r, vs] of rs) {
    if (r.multiple) vs.forEach((v, i) => out.push({ path: [m.id, iid, r.id, i] as Path, value: v }))
    else out.push({ path: [m.id, iid, r.id] as Path, value: vs[0] as Value })
  }
  return out.sort((a, b) => comparePaths(a.path, b.path))
}

const FORMATS = [CF.TLV, CF.SENML_JSON, CF.SENML_CBOR, CF.LWM2M_CBOR, CF.LWM2M_JSON] as const
const sorted = (rs: readonly Lwm2mRecord[]) => [...rs].map(({ path, value }) => ({ path, value })).sort((a, b) => comparePaths(a.path, b.path))

describe('C §7.5 round trips between every pair of hierarchical formats (registry objects)', () => {
  for (const a of FORMATS)
    for (const b of FORMATS) {
      if (a === b) continue
      it(`${a} → ${b}`, () => {
        fc.assert(
          fc.property(instanceArb, ([m, iid, rs]) => {
            const records = toRecords(m, iid, rs)
            const ctx = { path: [m.id, iid] as Path, models }
            const first = decodePayload(a, encodePayload(a, records, ctx), ctx)
            expect(first.violations).toEqual([])
            const second = decodePayload(b, encodePayload(b, first.records, ctx), ctx)
            expect(second.violations).toEqual([])
            expect(sorted(second.records)).toEqual(sorted(records))
          }),
          { numRuns: 60 }
        )
      })
    }
})
