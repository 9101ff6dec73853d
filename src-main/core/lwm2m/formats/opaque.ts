// SPDX-License-Identifier: Apache-2.0
// application/octet-stream (42): the raw bytes of one Opaque resource or resource instance
// (C §7.5, Tbl C-2; facts §2.6), e.g. a firmware image written to /5/0/0.
import { EncodeError, type CodecContext, type ContentCodec } from '../codec'
import { CF } from '../content-format'
import { formatPath } from '../path'
import type { DecodeResult, Lwm2mRecord } from '../record'
import { ViolationList } from '../../violation'
import { assertIds, refusal, resourceOf } from './typing'

const SECTION = 'LwM2M 1.2 Core §7.5, App. C Tbl C-2'

function decodeOpaque(bytes: Uint8Array, ctx: CodecContext): DecodeResult {
  const v = new ViolationList()
  const path = ctx.path
  if (!path || path.length < 3) {
    v.add(0, 'opaque.path', SECTION, 'an octet stream is the value of one resource or resource instance; the request path names none')
    return { records: [], violations: v.items }
  }
  const object = ctx.models?.get(path[0] as number)
  const rm = resourceOf(object, path[2] as number)
  if (object && !rm) {
    v.add(0, 'opaque.unknown-resource', SECTION, `resource ${String(path[2])} is not defined by object ${object.id} (${object.name})`)
  } else if (rm && rm.type !== 'opaque') {
    v.add(0, 'opaque.type', SECTION, `${formatPath(path)} (${rm.name}) is ${rm.type}: an octet stream carries Opaque values only`)
  }
  // A copy: the record must not change when the caller reuses its receive buffer.
  return { records: [{ path, value: { type: 'opaque', value: bytes.slice() } }], violations: v.items }
}

function encodeOpaque(records: readonly Lwm2mRecord[], ctx: CodecContext): Uint8Array {
  if (records.length !== 1) {
    throw new EncodeError('opaque.count', `an octet stream carries exactly one value, not ${records.length}`)
  }
  const r = records[0] as Lwm2mRecord
  const where = formatPath(r.path)
  assertIds(r.path, 'opaque')
  if (r.path.length < 3) throw refusal('opaque.path', r.path, ': an octet stream needs a resource or resource instance path')
  if (ctx.path && formatPath(ctx.path) !== where) {
    throw refusal('opaque.outside-path', r.path, ` is not the request path ${formatPath(ctx.path)}`)
  }
  if (r.value?.type !== 'opaque' || !(r.value.value instanceof Uint8Array)) {
    throw refusal('opaque.type', r.path, `: an octet stream carries an opaque value, not ${r.value?.type ?? 'nothing'}`)
  }
  const object = ctx.models?.get(r.path[0] as number)
  const rm = resourceOf(object, r.path[2] as number)
  if (object && !rm) throw refusal('opaque.unknown-resource', r.path, ` is not a resource of object ${object.id}`)
  if (rm && rm.type !== 'opaque') throw refusal('opaque.type', r.path, ` (${rm.name}) is ${rm.type}, not opaque`)
  return r.value.value.slice()
}

export const opaqueCodec: ContentCodec = {
  format: CF.OPAQUE,
  decode: decodeOpaque,
  encode: encodeOpaque
}
