// SPDX-License-Identifier: Apache-2.0
// The flat record every content format decodes to and encodes from. Hierarchical formats (TLV,
// SenML, LwM2M CBOR, legacy JSON) carry many; single-value formats (text, opaque, CBOR 60) one.
import type { Path } from './path'
import type { Value } from './value'

export interface Lwm2mRecord {
  /** Full path of the resource or resource instance (or a shallower path for composite requests). */
  readonly path: Path
  /** Gateway end-device prefix (LwM2M CBOR text-prefixed keys, SenML names "/dev1/3/0/0"). */
  readonly prefix?: string
  /**
   * Absent for path-only records: Read-/Observe-Composite request bodies and SenML-ETCH Fetch
   * Packs. For a Patch Pack, a `none` value with `delete: true` removes the resource instance.
   */
  readonly value?: Value
  /** SenML time (bt + t) in seconds, when the record carries one (Send, historical notifications). */
  readonly time?: number
  /** SenML-ETCH Patch Pack: `"v": null` deletes the target (RFC 8790 §5). */
  readonly delete?: boolean
}

export interface DecodeResult {
  readonly records: Lwm2mRecord[]
  readonly violations: import('../violation').Violation[]
}
