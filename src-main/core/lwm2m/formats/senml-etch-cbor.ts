// SPDX-License-Identifier: Apache-2.0
// SenML-ETCH CBOR (CF 322, RFC 8790 §6): Fetch Packs (names only → path-only records) and Patch
// Packs (values; label 2 with null (F6) deletes). Labels limited as in facts §2.3.
import type { ContentCodec } from '../codec'
import { CF } from '../content-format'
import { decodeSenmlCborPack, encodeSenmlCborPack } from './senml-cbor'

export const senmlEtchCborCodec: ContentCodec = {
  format: CF.SENML_ETCH_CBOR,
  decode: (bytes, ctx) => decodeSenmlCborPack(bytes, ctx, 'etch'),
  encode: (records) => encodeSenmlCborPack(records, 'etch')
}
