// SPDX-License-Identifier: Apache-2.0
/** "in 4 m 10 s", "12 s ago", … for countdowns and last-seen columns. */
export function relative(iso: string | null, now: number): string {
  if (iso === null) return 'never'
  const d = Math.round((Date.parse(iso) - now) / 1000)
  const a = Math.abs(d)
  if (a < 1) return 'just now'
  const text = a < 60 ? `${a} s` : a < 3600 ? `${Math.floor(a / 60)} m ${a % 60} s` : a < 86400 ? `${Math.floor(a / 3600)} h ${Math.floor((a % 3600) / 60)} m` : `${Math.floor(a / 86400)} d`
  return d >= 0 ? `in ${text}` : `${text} ago`
}

export function clockTime(iso: string): string {
  const d = new Date(iso)
  return `${d.toLocaleTimeString(undefined, { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`
}
