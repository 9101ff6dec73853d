// SPDX-License-Identifier: Apache-2.0
// SenML-ETCH JSON (CF 320, RFC 8790 §6): Fetch Packs (names only → path-only records) for
// Read-/Observe-Composite and Patch Packs (values; "v": null deletes) for Write-Composite.
// Labels are limited to n, bn, t, bt, u, bu and the value fields (facts §2.3).
import type { ContentCodec } from '../codec'
import { CF } from '../content-format'
import { decodeSenmlJsonPack, encodeSenmlJsonPack } from './senml-json'

export const senmlEtchJsonCodec: ContentCodec = {
  format: CF.SENML_ETCH_JSON,
  decode: (bytes, ctx) => decodeSenmlJsonPack(bytes, ctx, 'etch'),
  encode: (records) => encodeSenmlJsonPack(records, 'etch')
}
