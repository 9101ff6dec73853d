// SPDX-License-Identifier: Apache-2.0
// The one time format of the app (issue 13 item 19): date plus 24-hour time in the local zone,
// the zone stated once (status bar), relative time beside it or on hover.

/** "in 4 m 10 s", "12 s ago", … for countdowns and last-seen columns. */
export function relative(iso: string | null, now: number): string {
  if (iso === null) return 'never'
  const d = Math.round((Date.parse(iso) - now) / 1000)
  const a = Math.abs(d)
  if (a < 1) return 'just now'
  const text = a < 60 ? `${a} s` : a < 3600 ? `${Math.floor(a / 60)} min ${a % 60} s` : a < 86400 ? `${Math.floor(a / 3600)} h ${Math.floor((a % 3600) / 60)} min` : `${Math.floor(a / 86400)} d`
  return d >= 0 ? `in ${text}` : `${text} ago`
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

/** "2026-12-04 05:45:19" in the local zone (ISO order: sorts and reads the same everywhere). */
export function dateTime(iso: string | null): string {
  if (iso === null) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

/** "05:45:19.123", for logs and timelines where the date is shown once above. */
export function clockTime(iso: string): string {
  const d = new Date(iso)
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
}

/** The local zone, stated once: "Europe/Berlin, UTC+01:00". */
export function zoneText(at = new Date()): string {
  const off = -at.getTimezoneOffset()
  const sign = off >= 0 ? '+' : '-'
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone
  return `${zone}, UTC${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`
}
