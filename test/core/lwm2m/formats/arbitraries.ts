// SPDX-License-Identifier: Apache-2.0
// fast-check generators of typed records for object 9000 (one resource per type, single and
// multiple; see test-models.ts), with 8- and 16-bit ids and values at the edges of every type.
import fc from 'fast-check'
import { comparePaths, type Path } from '../../../../src-main/core/lwm2m/path'
import type { Lwm2mRecord } from '../../../../src-main/core/lwm2m/record'
import { normalizeInteger, type ResourceType, type Value } from '../../../../src-main/core/lwm2m/value'
import { ALL_TYPES } from './test-models'

const INT64_MIN = -(1n << 63n)
const INT64_MAX = (1n << 63n) - 1n
const UINT64_MAX = (1n << 64n) - 1n

/** Ids on both sides of the 8/16-bit identifier boundary. */
export const idArb = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 256, max: 65534 }), fc.constantFrom(0, 255, 256, 65534))

const signedArb = fc.oneof(
  fc.integer({ min: -128, max: 127 }),
  fc.integer(),
  fc.constantFrom(-129, 128, -32769, 32768, 2 ** 31, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER),
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }).map(normalizeInteger),
  fc.constantFrom(INT64_MIN, INT64_MAX)
)
const unsignedArb = fc.oneof(
  fc.integer({ min: 0, max: 255 }),
  fc.constantFrom(256, 65535, 65536, 2 ** 32 - 1, 2 ** 32),
  fc.bigInt({ min: 0n, max: UINT64_MAX }).map(normalizeInteger),
  fc.constant(UINT64_MAX)
)
const stringArb = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ maxLength: 300 }))

export function valueArb(type: ResourceType): fc.Arbitrary<Value> {
  switch (type) {
    case 'string':
      return stringArb.map((value) => ({ type, value }))
    case 'corelnk':
      return fc.constantFrom('</3/0>', '</1/0>;ssid=1', '').map((value) => ({ type, value }))
    case 'integer':
    case 'time':
      return signedArb.map((value) => ({ type, value }))
    case 'unsigned':
      return unsignedArb.map((value) => ({ type, value }))
    case 'float':
      return fc.oneof(fc.double(), fc.float().map(Math.fround), fc.constantFrom(0, -0, 22.5, 6.667e-11, 1e21, 0.1)).map((value) => ({ type, value }))
    case 'boolean':
      return fc.boolean().map((value) => ({ type, value }))
    case 'opaque':
      return fc.uint8Array({ maxLength: 20 }).map((value) => ({ type, value }))
    case 'objlnk':
      return fc
        .oneof(fc.record({ objectId: fc.integer({ min: 0, max: 65534 }), instanceId: fc.integer({ min: 0, max: 65534 }) }), fc.constant({ objectId: 65535, instanceId: 65535 }))
        .map((value) => ({ type, value }))
    case 'none':
      return fc.constant({ type, value: null })
  }
}

const resources = ALL_TYPES.resources.filter((r) => r.type !== 'none')

/** The records of one instance of object 9000: some resources, multiple ones with 0..4 instances. */
export function instanceRecordsArb(iid: number, allowEmptyMultiple = true): fc.Arbitrary<Lwm2mRecord[]> {
  return fc.uniqueArray(fc.constantFrom(...resources), { selector: (r) => r.id, maxLength: 8 }).chain((rms) =>
    fc.tuple(
      ...rms.map((rm) =>
        rm.multiple
          ? fc
              .uniqueArray(fc.tuple(idArb, valueArb(rm.type)), { selector: (t) => t[0], minLength: allowEmptyMultiple ? 0 : 1, maxLength: 4 })
              .map((list): Lwm2mRecord[] =>
                list.length === 0 ? [{ path: [9000, iid, rm.id] }] : list.map(([ri, value]) => ({ path: [9000, iid, rm.id, ri] as Path, value }))
              )
          : valueArb(rm.type).map((value): Lwm2mRecord[] => [{ path: [9000, iid, rm.id], value }])
      )
    ).map((groups) => groups.flat())
  )
}

/** Records of several instances of object 9000 (an instance without resources is path-only). */
export const recordsArb: fc.Arbitrary<Lwm2mRecord[]> = fc
  .uniqueArray(idArb, { maxLength: 4 })
  .chain((iids) => fc.tuple(...iids.map((iid) => instanceRecordsArb(iid).map((rs): Lwm2mRecord[] => (rs.length ? rs : [{ path: [9000, iid] }])))))
  .map((groups) => groups.flat())

export function sortRecords(records: readonly Lwm2mRecord[]): Lwm2mRecord[] {
  return [...records].sort((a, b) => comparePaths(a.path, b.path))
}
