// SPDX-License-Identifier: Apache-2.0
// Content-format dispatch (C §7.5, facts §2.1): one table from CoAP Content-Format number to
// codec. Legacy pre-IANA numbers 1541-1544 map to their standard format on input (LEGACY_CF).
// Decoding never throws: an unknown format, a format without a codec yet, or a codec fault all
// come back as violations; at most DECODE_VIOLATION_LIMIT of them, with the total (counted.ts).
import { EncodeError, type CodecContext, type ContentCodec } from '../codec'
import { resolveFormat, type ContentFormat } from '../content-format'
import type { Lwm2mRecord } from '../record'
import { ViolationList } from '../../violation'
import { capResult, type CountedDecodeResult } from './counted'
import { lwm2mJsonCodec } from './lwm2m-json'
import { opaqueCodec } from './opaque'
import { textCodec } from './text'
import { tlvCodec } from './tlv'

const SECTION = 'LwM2M 1.2 Core §7.5'

const table = new Map<ContentFormat, ContentCodec>()

/**
 * Plugs a codec in (or replaces the one for its format). The lead wires the codecs written
 * elsewhere here without touching this file's codecs:
 *   - CF.SENML_JSON (110)       senml-json.ts
 *   - CF.SENML_CBOR (112)       senml-cbor.ts
 *   - CF.SENML_ETCH_JSON (320)  senml-etch*.ts
 *   - CF.SENML_ETCH_CBOR (322)  senml-etch*.ts
 *   - CF.LWM2M_CBOR (11544)     lwm2m-cbor.ts
 *   - CF.CBOR (60)              cbor.ts (single value)
 *   - CF.LINK (40)              link format
 */
export function registerCodec(codec: ContentCodec): void {
  table.set(codec.format, codec)
}

/** The codec for a format number (legacy numbers resolve to their standard one), if any. */
export function codecFor(format: ContentFormat): ContentCodec | undefined {
  const cf = resolveFormat(format)
  return cf === null ? undefined : table.get(cf)
}

/** Formats with a codec, ascending. */
export function registeredFormats(): ContentFormat[] {
  return [...table.keys()].sort((a, b) => a - b)
}

for (const codec of [textCodec, opaqueCodec, tlvCodec, lwm2mJsonCodec]) registerCodec(codec)
// Pending (registered by the lead once they land): SENML_JSON, SENML_CBOR, SENML_ETCH_JSON,
// SENML_ETCH_CBOR, LWM2M_CBOR, CBOR, LINK. Until then they decode to a 'format.unsupported'
// violation and refuse to encode.

/** Decodes `bytes` of `format`; `format` in the result is the resolved (standard) number. */
export function decodePayload(format: ContentFormat, bytes: Uint8Array, ctx: CodecContext): CountedDecodeResult & { format: ContentFormat } {
  const cf = typeof format === 'number' ? resolveFormat(format) : null
  if (cf === null) {
    const v = new ViolationList()
    v.add(0, 'format.unknown', SECTION, `content format ${String(format)} is not one LwM2M uses`)
    return { records: [], violations: v.items, violationsTotal: 1, format }
  }
  const codec = table.get(cf)
  if (!codec) {
    const v = new ViolationList()
    v.add(0, 'format.unsupported', SECTION, `content format ${cf} has no decoder yet`)
    return { records: [], violations: v.items, violationsTotal: 1, format: cf }
  }
  try {
    // Capped here whatever the codec did, so no format can flood the caller (issue 12 item 19).
    return { ...capResult(codec.decode(bytes, ctx)), format: cf }
  } catch (e) {
    // Codecs are total by contract; this keeps one that is not from crashing the caller.
    const v = new ViolationList()
    v.add(0, 'format.internal', SECTION, `decoder for ${cf} failed: ${e instanceof Error ? e.message : String(e)}`)
    return { records: [], violations: v.items, violationsTotal: 1, format: cf }
  }
}

/**
 * Encodes `records` as `format`; throws EncodeError for an unknown format or refused values.
 * A legacy number encodes as its standard format (same bytes); which number goes into the
 * Content-Format option stays the caller's choice.
 */
export function encodePayload(format: ContentFormat, records: readonly Lwm2mRecord[], ctx: CodecContext): Uint8Array {
  const cf = typeof format === 'number' ? resolveFormat(format) : null
  if (cf === null) throw new EncodeError('format.unknown', `content format ${String(format)} is not one LwM2M uses`)
  const codec = table.get(cf)
  if (!codec) throw new EncodeError('format.unsupported', `content format ${cf} has no encoder yet`)
  return codec.encode(records, ctx)
}

