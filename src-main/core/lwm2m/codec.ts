// SPDX-License-Identifier: Apache-2.0
// What every content-format codec offers. Decoders are total: they return records plus violations
// and never throw. Encoders are deterministic and throw EncodeError for values they must refuse.
import type { ContentFormat } from './content-format'
import type { ModelLookup } from './model'
import type { Path } from './path'
import type { DecodeResult, Lwm2mRecord } from './record'

export interface CodecContext {
  /**
   * The request path the payload answers or targets (e.g. /3/0 for a Read of /3/0). TLV and
   * single-value formats need it to name their records; self-describing formats check against it.
   */
  readonly path?: Path
  /** Models type the values (TLV and text carry no types of their own). */
  readonly models?: ModelLookup
}

export interface ContentCodec {
  readonly format: ContentFormat
  decode(bytes: Uint8Array, ctx: CodecContext): DecodeResult
  encode(records: readonly Lwm2mRecord[], ctx: CodecContext): Uint8Array
}

/** An encoder refused its input; `rule` is stable, the message says what to change. */
export class EncodeError extends Error {
  constructor(
    readonly rule: string,
    message: string,
    readonly path?: string
  ) {
    super(message)
    this.name = 'EncodeError'
  }
}
