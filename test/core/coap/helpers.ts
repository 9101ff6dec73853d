// SPDX-License-Identifier: Apache-2.0
// Shared test helpers for the CoAP codec: hex conversion and fast-check arbitraries for messages.
import fc from 'fast-check'
import type { CoapMessage, CoapOption, MessageType } from '../../../src-main/core/coap/message'

export function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '')
  const out = new Uint8Array(clean.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16)
  return out
}

export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ')
}

export const ascii = (s: string): Uint8Array => new TextEncoder().encode(s)

export const rules = (r: { violations: readonly { rule: string }[] }): string[] =>
  r.violations.map((v) => v.rule)

/** Plain arrays so that toEqual compares messages by content, not by buffer identity. */
export function plain(m: CoapMessage): unknown {
  return {
    type: m.type,
    code: m.code,
    messageId: m.messageId,
    token: Array.from(m.token),
    options: m.options.map((o) => ({ number: o.number, value: Array.from(o.value) })),
    payload: Array.from(m.payload)
  }
}

/** What the encoder promises about option order: ascending, repeats in their given order. */
export function stableSorted(options: readonly CoapOption[]): CoapOption[] {
  return options
    .map((o, i) => ({ o, i }))
    .sort((a, b) => a.o.number - b.o.number || a.i - b.i)
    .map((x) => x.o)
}

const bytes = (max: number) => fc.uint8Array({ maxLength: max })

// Option numbers chosen to exercise every delta form: small, 13..268 and 269+ deltas, the top
// of the range, and repeats.
export const optionNumberArb = fc.oneof(
  fc.integer({ min: 0, max: 12 }),
  fc.integer({ min: 13, max: 300 }),
  fc.integer({ min: 0, max: 65535 }),
  fc.constantFrom(1, 11, 15, 23, 27, 60, 252, 258, 292, 268, 269, 270, 65535)
)

// Value lengths across the 0-12, 13-268 and 269+ length forms.
export const optionValueArb = fc.oneof(
  { weight: 6, arbitrary: bytes(12) },
  { weight: 3, arbitrary: fc.uint8Array({ minLength: 13, maxLength: 268 }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 269, maxLength: 700 }) }
)

export const optionArb: fc.Arbitrary<CoapOption> = fc.record({
  number: optionNumberArb,
  value: optionValueArb
})

export const typeArb = fc.constantFrom<MessageType>('CON', 'NON', 'ACK', 'RST')

/**
 * Messages that obey RFC 7252 usage rules (so decoding them gives no violation): requests as
 * CON/NON, responses as CON/NON/ACK, Empty as CON/ACK/RST. `sorted` gives options in wire order.
 */
export function messageArb(sorted = true): fc.Arbitrary<CoapMessage> {
  const request = fc.record({
    type: fc.constantFrom<MessageType>('CON', 'NON'),
    code: fc.integer({ min: 1, max: 31 })
  })
  const response = fc.record({
    type: fc.constantFrom<MessageType>('CON', 'NON', 'ACK'),
    code: fc.oneof(fc.integer({ min: 64, max: 95 }), fc.integer({ min: 128, max: 191 }))
  })
  const full = fc
    .tuple(
      fc.oneof(request, response),
      fc.integer({ min: 0, max: 0xffff }),
      bytes(8),
      fc.array(optionArb, { maxLength: 8 }),
      fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 1, maxLength: 300 }))
    )
    .map(([tc, messageId, token, options, payload]) => ({
      type: tc.type,
      code: tc.code,
      messageId,
      token,
      options: sorted ? stableSorted(options) : options,
      payload
    }))
  const empty = fc
    .tuple(fc.constantFrom<MessageType>('CON', 'ACK', 'RST'), fc.integer({ min: 0, max: 0xffff }))
    .map(([type, messageId]) => ({
      type,
      code: 0,
      messageId,
      token: new Uint8Array(0),
      options: [],
      payload: new Uint8Array(0)
    }))
  return fc.oneof({ weight: 9, arbitrary: full }, { weight: 1, arbitrary: empty })
}
