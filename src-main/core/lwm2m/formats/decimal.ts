// SPDX-License-Identifier: Apache-2.0
// Floats as plain decimals: C Tbl C-2 writes 6.667e-11 as "0.00000000006667" in text/plain,
// so the shortest round-tripping digits of a double are laid out without an exponent.

/** The shortest decimal that reads back as `v`, without exponent; `v` must be finite. */
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
