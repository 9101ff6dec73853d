// SPDX-License-Identifier: Apache-2.0
// LwM2M data types (C App. C Tbl C-1) and typed values as the codecs produce them.
import type { InstanceId, ObjectId } from './ids'

export type ResourceType =
  | 'string'
  | 'integer'
  | 'unsigned'
  | 'float'
  | 'boolean'
  | 'opaque'
  | 'time'
  | 'objlnk'
  | 'corelnk'
  | 'none'

export const RESOURCE_TYPES: readonly ResourceType[] = [
  'string', 'integer', 'unsigned', 'float', 'boolean', 'opaque', 'time', 'objlnk', 'corelnk', 'none'
]

/** Objlnk "OID:IID"; the null link is 65535:65535. */
export interface ObjectLink {
  readonly objectId: ObjectId
  readonly instanceId: InstanceId
}

/**
 * A typed value. Integers stay `number` while they are safe integers and become `bigint`
 * beyond that (64-bit values from TLV/CBOR), so no precision is lost silently.
 */
export type Value =
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'integer'; readonly value: number | bigint }
  | { readonly type: 'unsigned'; readonly value: number | bigint }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'opaque'; readonly value: Uint8Array }
  /** Signed Unix time in seconds. */
  | { readonly type: 'time'; readonly value: number | bigint }
  | { readonly type: 'objlnk'; readonly value: ObjectLink }
  | { readonly type: 'corelnk'; readonly value: string }
  | { readonly type: 'none'; readonly value: null }

export function formatObjectLink(l: ObjectLink): string {
  return `${l.objectId}:${l.instanceId}`
}

/** Parses "OID:IID" (each 0..65535; 65535:65535 is the null link). */
export function parseObjectLink(text: string): ObjectLink | null {
  const m = /^(0|[1-9][0-9]{0,4}):(0|[1-9][0-9]{0,4})$/.exec(text)
  if (!m) return null
  const objectId = Number(m[1])
  const instanceId = Number(m[2])
  if (objectId > 65535 || instanceId > 65535) return null
  return { objectId, instanceId }
}

/** Narrows a bigint back to number when it is a safe integer. */
export function normalizeInteger(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v
}
