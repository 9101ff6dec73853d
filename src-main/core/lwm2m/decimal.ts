// SPDX-License-Identifier: Apache-2.0
// Decimal numbers written without an exponent, for the gt/lt/st attributes and for text/plain
// floats. Attributes: the ABNF is 1*DIGIT ["." 1*DIGIT] (C §7.3 / facts §2.8); a sign and an
// exponent are accepted on input because real thresholds are negative (facts §7), and never
// written. text/plain: C Tbl C-2 writes 6.667e-11 as "0.00000000006667".

const DECIMAL = /^[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$/

/** The number a decimal text denotes, or null when it is not one (or overflows). */
export function parseDecimal(text: string): number | null {
  if (!DECIMAL.test(text)) return null
  const n = Number(text)
  // -0 is read as 0 so that what is read is what formatDecimal writes back.
  return Number.isFinite(n) ? (n === 0 ? 0 : n) : null
}

/** Shortest positional decimal that reads back as `n` (no exponent; -0 is written 0). */
export function formatDecimal(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`${n} has no decimal form`)
  // An attribute has no negative zero (parseDecimal reads "-0" as 0).
  return n === 0 ? '0' : formatPlainDecimal(n)
}

/**
 * The shortest decimal that reads back as `v`, without exponent; `v` must be finite. Unlike
 * formatDecimal it keeps the sign of -0, which a text/plain Float carries.
 */
export function formatPlainDecimal(v: number): string {
  if (Object.is(v, -0)) return '-0'
  const s = String(v)
  const e = s.indexOf('e')
  if (e < 0) return s
  const neg = s.charCodeAt(0) === 0x2d
  const mantissa = s.slice(neg ? 1 : 0, e)
  const exponent = Number(s.slice(e + 1))
  const dot = mantissa.indexOf('.')
  const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1)
  const point = (dot < 0 ? mantissa.length : dot) + exponent
  let out: string
  if (point <= 0) out = '0.' + '0'.repeat(-point) + digits
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length)
  else out = digits.slice(0, point) + '.' + digits.slice(point)
  return neg ? '-' + out : out
}
