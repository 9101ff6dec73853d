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

/**
 * How many violations a payload decode keeps (issue 12 item 19): hostile input can raise one per
 * few bytes (a 1 MB TLV gave 333 000), and nobody reads past the first hundred. The rest are
 * counted, per rule, so the total and whether any of them is an error stay known.
 */
export const DECODE_VIOLATION_LIMIT = 100

/**
 * Collects violations in order; decoders pass one down to their helpers. With a limit it keeps
 * only the first `limit` and counts the others without building them.
 */
export class ViolationList {
  readonly items: Violation[] = []
  #omitted: Map<string, number> | null = null
  private count = 0

  constructor(readonly limit = Infinity) {}

  add(offset: number, rule: string, section: string, message: string): void {
    if (this.count++ < this.limit) this.items.push({ offset, rule, section, message })
    else {
      const omitted = (this.#omitted ??= new Map())
      omitted.set(rule, (omitted.get(rule) ?? 0) + 1)
    }
  }

  /** Rule → how many violations of that rule were counted but not kept. */
  get omitted(): ReadonlyMap<string, number> {
    // Made on the first omission: one list per decoded message, and almost all stay short.
    return this.#omitted ?? NONE_OMITTED
  }

  /** Every violation added, kept or not. */
  get length(): number {
    return this.count
  }

  /** A point to return to with rollback, for a speculative parse whose violations may not stand. */
  mark(): ViolationMark {
    // The omitted counts are keyed by rule (a few dozen at most), so a copy is small; none is
    // needed below the limit, the usual case.
    return { count: this.count, omitted: this.#omitted === null || this.#omitted.size === 0 ? null : new Map(this.#omitted) }
  }

  /** Forgets every violation added since `mark`, kept or only counted. */
  rollback(mark: ViolationMark): void {
    if (this.items.length > mark.count) this.items.length = mark.count
    this.count = mark.count
    this.#omitted = mark.omitted === null ? null : new Map(mark.omitted)
  }
}

const NONE_OMITTED: ReadonlyMap<string, number> = new Map()

export interface ViolationMark {
  readonly count: number
  readonly omitted: ReadonlyMap<string, number> | null
}
