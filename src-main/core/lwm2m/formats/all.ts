// SPDX-License-Identifier: Apache-2.0
// Every content codec, registered once. Import payload decoding and encoding from here so that
// no caller can miss a format.
import { cborSingleCodec } from './cbor-single'
import { linkCodec } from './link'
import { lwm2mCborCodec } from './lwm2m-cbor'
import { registerCodec } from './registry'
import { senmlCborCodec } from './senml-cbor'
import { senmlEtchCborCodec } from './senml-etch-cbor'
import { senmlEtchJsonCodec } from './senml-etch-json'
import { senmlJsonCodec } from './senml-json'

for (const codec of [linkCodec, cborSingleCodec, senmlJsonCodec, senmlCborCodec, senmlEtchJsonCodec, senmlEtchCborCodec, lwm2mCborCodec])
  registerCodec(codec)

export { codecFor, decodePayload, encodePayload, registeredFormats } from './registry'
