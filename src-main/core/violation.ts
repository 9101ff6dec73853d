// SPDX-License-Identifier: Apache-2.0
// What a strict decoder found wrong. Decoders never throw past their boundary: they return what
// they understood plus a list of these, which the CLI prints and the inspector shows.

export interface Violation {
  /** Byte offset (or character offset for text formats) where the problem was found. */
  readonly offset: number
  /** Stable rule id, e.g. "tlv.length-overrun", "lwm2m-cbor.duplicate-path". */
  readonly rule: string
  /** Spec reference, e.g. "LwM2M 1.2 Core §7.5.5" or "RFC 8428 §4.5.1". */
  readonly section: string
  /** One sentence a user can act on. */
  readonly message: string
}

/** Collects violations in order; decoders pass one down to their helpers. */
export class ViolationList {
  readonly items: Violation[] = []
  add(offset: number, rule: string, section: string, message: string): void {
    this.items.push({ offset, rule, section, message })
  }
  get length(): number {
    return this.items.length
  }
}
