// SPDX-License-Identifier: Apache-2.0
// The EF LwM2M_Bootstrap file of a smartcard (C §6.1.3.2, App. G; facts §4.1): what a client
// reads from the card during Bootstrap from Smartcard (BOOT-PROV-01). Layout:
//   num_objects uint16 BE, total_size uint16 BE (bytes of all object entries, without this header),
//   then per object: object_id uint16 BE, object_version (0x00, or MAJOR MINOR when the first byte
//   is not 0), length uint16 BE, and `length` bytes of TLV object instances (C §7.5.5).
// Cards pad the file with 0xFF. Total like every decoder: any bytes give records plus violations.
import { CF } from '../content-format'
import type { ModelLookup } from '../model'
import type { Lwm2mRecord } from '../record'
import { decodePayload } from '../formats/registry'
import { DECODE_VIOLATION_LIMIT, ViolationList, type Violation } from '../../violation'

const SECTION = 'LwM2M Core App. G (EF LwM2M_Bootstrap)'

export interface CardObject {
  readonly objectId: number
  /** "MAJOR.MINOR" when the entry states one, null for the 1-byte 0x00 (implicit) version. */
  readonly version: string | null
  /** The entry's stated TLV length. */
  readonly length: number
  /** Byte offset of the entry (its object_id) in the file. */
  readonly offset: number
}

export interface CardFile {
  readonly records: Lwm2mRecord[]
  readonly objects: CardObject[]
  /** Offsets are into the whole file, TLV problems included. */
  readonly violations: Violation[]
}

/** Decodes the EF LwM2M_Bootstrap content. `models` type the TLV values (else they are opaque). */
export function decodeCardFile(bytes: Uint8Array, models?: ModelLookup): CardFile {
  const v = new ViolationList(DECODE_VIOLATION_LIMIT)
  const records: Lwm2mRecord[] = []
  const objects: CardObject[] = []
  const len = bytes.length
  if (len < 4) {
    v.add(0, 'card.header-truncated', SECTION, `the file has ${len} byte(s); its header (num_objects, total_size) needs 4`)
    return { records, objects, violations: v.items }
  }
  const u16 = (at: number): number => ((bytes[at] as number) << 8) | (bytes[at + 1] as number)
  const numObjects = u16(0)
  const totalSize = u16(2)
  const declaredEnd = 4 + totalSize
  if (declaredEnd > len) {
    v.add(2, 'card.truncated', SECTION, `total_size says ${totalSize} bytes of objects, but only ${len - 4} follow the header`)
  }
  // Where the 0xFF padding starts: the end of data. No object entry can be all 0xFF (its id would
  // be the reserved 65535 and its length would overrun), so the padding never hides one.
  let dataEnd = len
  while (dataEnd > 4 && bytes[dataEnd - 1] === 0xff) dataEnd--

  const seen = new Set<number>()
  let at = 4
  let truncated = false
  // Read entries while either header field says more are due, and data (not padding) remains.
  while (at < dataEnd && (objects.length < numObjects || at < declaredEnd)) {
    const start = at
    if (at + 3 > len) {
      v.add(at, 'card.object-truncated', SECTION, `an object entry at ${at} needs at least 5 bytes, only ${len - at} remain`)
      truncated = true
      break
    }
    const objectId = u16(at)
    const major = bytes[at + 2] as number
    // 0x00 is the 1-byte implicit version; any other first byte starts a 2-byte MAJOR MINOR.
    const versionBytes = major === 0 ? 1 : 2
    const lengthAt = at + 2 + versionBytes
    if (lengthAt + 2 > len) {
      v.add(at, 'card.object-truncated', SECTION, `the object entry at ${at} (object ${objectId}) ends inside its header`)
      truncated = true
      break
    }
    const version = major === 0 ? null : `${major}.${bytes[at + 3] as number}`
    const length = u16(lengthAt)
    const tlvStart = lengthAt + 2
    let tlvEnd = tlvStart + length
    objects.push({ objectId, version, length, offset: start })
    if (tlvEnd > len) {
      v.add(lengthAt, 'card.object-truncated', SECTION,
        `object ${objectId} at ${start} states ${length} TLV bytes, only ${len - tlvStart} remain; decoding those`)
      tlvEnd = len
      truncated = true
    }
    if (objectId === 65535) {
      v.add(start, 'card.object-id', SECTION, `object id 65535 (MAX_ID) at ${start} is reserved; its ${length} bytes are skipped`)
    } else {
      if (seen.has(objectId)) v.add(start, 'card.duplicate-object', SECTION, `object ${objectId} appears a second time at ${start}`)
      seen.add(objectId)
      decodeObject(bytes.subarray(tlvStart, tlvEnd), tlvStart, objectId, version, models, records, v)
    }
    at = tlvEnd
    if (truncated) break
  }

  if (!truncated) {
    if (objects.length !== numObjects) {
      v.add(0, 'card.num-objects', SECTION, `num_objects says ${numObjects}, the file holds ${objects.length}`)
    }
    if (at - 4 !== totalSize && declaredEnd <= len) {
      v.add(2, 'card.total-size', SECTION, `total_size says ${totalSize} bytes, the object entries take ${at - 4}`)
    }
    if (at < dataEnd) {
      v.add(at, 'card.trailing-bytes', SECTION, `${dataEnd - at} byte(s) at ${at} after the last object are not 0xFF padding; ignored`)
    }
  }
  return { records, objects, violations: v.items }
}

/** One object's TLV instances, with violation offsets moved to file offsets. */
function decodeObject(
  tlv: Uint8Array,
  base: number,
  objectId: number,
  version: string | null,
  models: ModelLookup | undefined,
  records: Lwm2mRecord[],
  v: ViolationList
): void {
  // The entry's own version picks the model, as `ver=` does in Register (C §7.2.2).
  const lookup: ModelLookup | undefined = models && { get: (id, ver) => models.get(id, ver ?? version ?? undefined) }
  const r = decodePayload(CF.TLV, tlv, { path: [objectId], models: lookup })
  for (const x of r.records) records.push(x)
  for (const x of r.violations) v.add(base + x.offset, x.rule, x.section, `object ${objectId}, TLV at byte ${base} (positions in this message count from there): ${x.message}`)
}
