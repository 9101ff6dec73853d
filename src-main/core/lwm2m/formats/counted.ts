// SPDX-License-Identifier: Apache-2.0
// Decode results with their violations capped (issue 12 item 19): the first
// DECODE_VIOLATION_LIMIT are kept, violationsTotal counts them all and violationsOmitted says, per
// rule, what was counted but not kept. Decoders that can raise many collect into a limited
// ViolationList so hostile input never builds the rest; decodePayload, the boundary, caps
// whatever a codec returns, so every format is bounded there.
//
// A codec's own result keeps the ContentCodec shape ({records, violations}); the count reaches
// decodePayload through `lists`, keyed by the returned violations array.
import type { Violation } from '../../violation'
import type { DecodeResult, Lwm2mRecord } from '../record'
import { DECODE_VIOLATION_LIMIT, ViolationList } from '../../violation'

export interface CountedDecodeResult extends DecodeResult {
  /** Every violation found, including those not listed. */
  readonly violationsTotal: number
  /** Rule → violations of that rule past the limit; absent when none were left out. */
  readonly violationsOmitted?: Readonly<Record<string, number>>
}

const lists = new WeakMap<readonly Violation[], ViolationList>()

/** The list a payload decoder collects into. */
export function decodeViolations(): ViolationList {
  return new ViolationList(DECODE_VIOLATION_LIMIT)
}

/** A codec's result from a limited list; decodePayload finds the count through it. */
export function counted(records: Lwm2mRecord[], v: ViolationList): DecodeResult {
  lists.set(v.items, v)
  return { records, violations: v.items }
}

/** Caps a codec's result: a counted one keeps its count, any other is cut at the limit here. */
export function capResult(r: DecodeResult): CountedDecodeResult {
  let v = lists.get(r.violations)
  if (v === undefined || r.violations.length > DECODE_VIOLATION_LIMIT) {
    v = decodeViolations()
    for (const x of r.violations) v.add(x.offset, x.rule, x.section, x.message)
  }
  const out = { records: r.records, violations: v.items, violationsTotal: v.length }
  return v.omitted.size === 0 ? out : { ...out, violationsOmitted: Object.fromEntries(v.omitted) }
}
