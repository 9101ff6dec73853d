// SPDX-License-Identifier: Apache-2.0
// Every content codec, registered once. Import payload decoding and encoding from here so that
// no caller can miss a format.
import { linkCodec } from './link'
import { registerCodec } from './registry'

for (const codec of [linkCodec]) registerCodec(codec)

export { codecFor, decodePayload, encodePayload, registeredFormats } from './registry'
