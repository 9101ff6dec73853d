// SPDX-License-Identifier: Apache-2.0
// Writes the EF LwM2M_Bootstrap file (C §6.1.3.2, App. G — letters per 1.1.1, unverified for 1.2;
// facts §4.1) that decodeCardFile reads: num_objects and total_size (uint16 BE), then per object
// object_id (uint16 BE), object_version (00, or MAJOR MINOR), length (uint16 BE) and the object's
// instances as TLV (C §7.5.5) with Object Instance wrappers.
import { CF } from '../content-format'
import { encodePayload } from '../formats/registry'
import { fromJsonRecord } from '../json-record'
import type { Lwm2mRecord } from '../record'
import { accountRecords, type BootstrapConfig } from './config'

export interface CardObjectInput {
  readonly objectId: number
  /** "MAJOR.MINOR" (MAJOR 1..255), or null for the 1-byte implicit version 00. */
  readonly version: string | null
  readonly records: readonly Lwm2mRecord[]
}

/** Largest file the header can describe (total_size is 16 bits; App. G caps the EF at 32 KB anyway). */
const MAX_TOTAL = 0xffff

export function encodeCardFile(objects: readonly CardObjectInput[]): Uint8Array {
  const entries: Uint8Array[] = []
  for (const o of objects) {
    if (!Number.isInteger(o.objectId) || o.objectId < 0 || o.objectId > 65534) throw new RangeError(`object id ${o.objectId} is outside 0..65534`)
    const tlv = encodePayload(CF.TLV, o.records, { path: [o.objectId] })
    if (tlv.length > 0xffff) throw new RangeError(`object ${o.objectId} takes ${tlv.length} TLV bytes; an entry holds at most 65535`)
    const version = versionBytes(o.version)
    const e = new Uint8Array(2 + version.length + 2 + tlv.length)
    e[0] = o.objectId >> 8
    e[1] = o.objectId & 0xff
    e.set(version, 2)
    e[2 + version.length] = tlv.length >> 8
    e[3 + version.length] = tlv.length & 0xff
    e.set(tlv, 4 + version.length)
    entries.push(e)
  }
  const total = entries.reduce((n, e) => n + e.length, 0)
  if (total > MAX_TOTAL) throw new RangeError(`the objects take ${total} bytes; total_size holds at most ${MAX_TOTAL}`)
  if (entries.length > 0xffff) throw new RangeError('too many objects for num_objects')
  const out = new Uint8Array(4 + total)
  out[0] = entries.length >> 8
  out[1] = entries.length & 0xff
  out[2] = total >> 8
  out[3] = total & 0xff
  let at = 4
  for (const e of entries) {
    out.set(e, at)
    at += e.length
  }
  return out
}

function versionBytes(version: string | null): Uint8Array {
  if (version === null) return Uint8Array.of(0)
  const m = /^([0-9]{1,3})\.([0-9]{1,3})$/.exec(version)
  const major = m ? Number(m[1]) : NaN
  const minor = m ? Number(m[2]) : NaN
  if (!(major >= 1 && major <= 255 && minor >= 0 && minor <= 255)) throw new RangeError(`object version "${version}" is not MAJOR.MINOR with MAJOR 1..255 and MINOR 0..255`)
  return Uint8Array.of(major, minor)
}

export interface CardFileOptions {
  /** Object id → version stated in the file; absent objects get the implicit 00. */
  readonly versions?: Readonly<Record<number, string>>
}

/**
 * A stored bootstrap configuration as card objects: its Security (/0) and Server (/1) accounts
 * and its other records, one entry per object in ascending id. A NoSec account leaves out its
 * empty key resources (/0/x/3-5), as the facts' worked example does.
 */
export function cardObjectsFromConfig(config: BootstrapConfig, opts: CardFileOptions = {}): CardObjectInput[] {
  const noSec = new Set(config.security.filter((s) => s.securityMode === 3).map((s) => s.instanceId))
  const records: Lwm2mRecord[] = accountRecords(config).filter(
    (r) => !(r.path[0] === 0 && noSec.has(r.path[1] as number) && (r.path[2] as number) >= 3 && (r.path[2] as number) <= 5 && r.value?.type === 'opaque' && r.value.value.length === 0)
  )
  ;(config.otherRecords ?? []).forEach((raw, i) => {
    const p = fromJsonRecord(raw)
    if (!p.ok) throw new RangeError(`otherRecords[${i}]: ${p.reason}`)
    records.push(p.record)
  })
  const byObject = new Map<number, Lwm2mRecord[]>()
  for (const r of records) {
    const id = r.path[0] as number
    const list = byObject.get(id) ?? []
    list.push(r)
    byObject.set(id, list)
  }
  return [...byObject.keys()]
    .sort((a, b) => a - b)
    .map((objectId) => ({ objectId, version: opts.versions?.[objectId] ?? null, records: byObject.get(objectId)! }))
}

export function encodeConfigCardFile(config: BootstrapConfig, opts: CardFileOptions = {}): Uint8Array {
  return encodeCardFile(cardObjectsFromConfig(config, opts))
}
