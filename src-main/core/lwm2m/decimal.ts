// SPDX-License-Identifier: Apache-2.0
// Decimal numbers as the gt/lt/st attributes carry them: the ABNF is 1*DIGIT ["." 1*DIGIT]
// (C §7.3 / facts §2.8); a sign and an exponent are accepted on input because real thresholds
// are negative (facts §7), and never written: output is plain positional decimal.

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
  if (n === 0) return '0'
  const s = String(n)
  const m = /^(-?)([0-9])(?:\.([0-9]+))?e([+-][0-9]+)$/.exec(s)
  if (!m) return s
  const sign = m[1] as string
  const digits = (m[2] as string) + (m[3] ?? '')
  const point = 1 + Number(m[4])
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length)
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`
}
