// SPDX-License-Identifier: Apache-2.0
// CBOR (CF 60): exactly one resource or resource-instance value, named by the request path
// (facts §2.6, C App. C Tbl C-2). Time is read as a uint or as tag 0/1 and written as an integer.
import { CborError, CborReader } from '../../cbor/reader'
import { CborWriter } from '../../cbor/writer'
import { EncodeError, type CodecContext, type ContentCodec } from '../codec'
import { CF } from '../content-format'
import { formatPath } from '../path'
import type { DecodeResult, Lwm2mRecord } from '../record'
import { counted, decodeViolations } from './counted'
import { readCborValue, writeCborValue } from './cbor-value'
import { ModelTyper } from './model-typing'

const SECTION = 'LwM2M 1.2 Core §7.5.2, App. C Tbl C-2'
const SITE = { rule: 'cbor', section: SECTION }

export function decodeCborSingle(bytes: Uint8Array, ctx: CodecContext): DecodeResult {
  const violations = decodeViolations()
  const records: Lwm2mRecord[] = []
  const path = ctx.path ?? []
  if (ctx.path === undefined || path.length < 3) {
    violations.add(
      0,
      'cbor.target-not-resource',
      SECTION,
      'CBOR carries one resource or resource-instance value; the request path must name one'
    )
  }
  const r = new CborReader(bytes, violations)
  try {
    if (bytes.length === 0) r.fail(0, 'cbor.truncated', 'the payload is empty')
    const value = readCborValue(r, new ModelTyper(ctx.models).type(path), SITE)
    if (value !== undefined) records.push({ path, value })
    r.finish()
  } catch (e) {
    if (!(e instanceof CborError)) throw e
  }
  return counted(records, violations)
}

export function encodeCborSingle(records: readonly Lwm2mRecord[], _ctx: CodecContext): Uint8Array {
  if (records.length !== 1) throw new EncodeError(
    'cbor.not-single',
    `CBOR carries exactly one value, got ${records.length} records`
  )
  const rec = records[0] as Lwm2mRecord
  if (rec.value === undefined) throw new EncodeError(
    'cbor.no-value',
    'the record has no value',
    formatPath(rec.path)
  )
  const w = new CborWriter(64)
  writeCborValue(w, rec.value, 'cbor', formatPath(rec.path))
  return w.finish()
}

export const cborSingleCodec: ContentCodec = {
  format: CF.CBOR,
  decode: decodeCborSingle,
  encode: encodeCborSingle
}
