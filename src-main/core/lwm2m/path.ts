// SPDX-License-Identifier: Apache-2.0
// LwM2M paths: root, /O, /O/I, /O/I/R, /O/I/R/RI (C §6.3, T §6.8), plus the request target
// around them: an optional alternate path (e.g. /lwm2m, announced with rt="oma.lwm2m") and a
// gateway prefix (/dev1/3/0 addresses an end device behind Object 25).
import { isValidId, type InstanceId, type ObjectId, type ResourceId, type ResourceInstanceId } from './ids'

export type Path =
  | readonly []
  | readonly [ObjectId]
  | readonly [ObjectId, InstanceId]
  | readonly [ObjectId, InstanceId, ResourceId]
  | readonly [ObjectId, InstanceId, ResourceId, ResourceInstanceId]

export type PathLevel = 'root' | 'object' | 'instance' | 'resource' | 'resourceInstance'

const LEVELS: readonly PathLevel[] = ['root', 'object', 'instance', 'resource', 'resourceInstance']

export function pathLevel(path: Path): PathLevel {
  return LEVELS[path.length] as PathLevel
}

/** "/3/0/1"; the root is "/". */
export function formatPath(path: Path): string {
  return path.length === 0 ? '/' : '/' + path.join('/')
}

export type PathParse = { ok: true; path: Path } | { ok: false; reason: string }

/** Parses a plain LwM2M path ("/3/0/1", "3/0/1/", "/"). No prefixes: see parseTarget. */
export function parsePath(text: string): PathParse {
  // Every Register parses a path per object link: the usual well-formed path is read in one pass
  // without building segments; anything else takes the slow road for its exact reason.
  const fast = plainPath(text)
  if (fast !== null) return { ok: true, path: fast }
  const segments = text.split('/').filter((s, i, all) => !(s === '' && (i === 0 || i === all.length - 1)))
  if (segments.length === 1 && segments[0] === '') return { ok: true, path: [] }
  if (segments.length > 4) return { ok: false, reason: `a path has at most 4 ids, "${text}" has ${segments.length}` }
  const ids: number[] = []
  for (const s of segments) {
    if (!/^(0|[1-9][0-9]*)$/.test(s)) return { ok: false, reason: `"${s}" in "${text}" is not a decimal id` }
    const n = Number(s)
    if (!isValidId(n)) return { ok: false, reason: `id ${s} in "${text}" is out of range 0..65534 (65535 is reserved)` }
    ids.push(n)
  }
  return { ok: true, path: ids as unknown as Path }
}

/** "/3/0/1", "3/0/1/", "/": decimal ids without leading zeros, 0..65534, at most 4; else null. */
function plainPath(text: string): Path | null {
  const n = text.length
  let i = n > 0 && text.charCodeAt(0) === 47 ? 1 : 0
  const ids: number[] = []
  while (i < n) {
    const start = i
    let v = 0
    for (; i < n; i++) {
      const c = text.charCodeAt(i)
      if (c === 47) break
      if (c < 48 || c > 57 || i - start >= 5) return null
      v = v * 10 + (c - 48)
    }
    if (i === start || (v !== 0 && text.charCodeAt(start) === 48) || (v === 0 && i - start > 1) || v > 65534 || ids.length === 4) return null
    ids.push(v)
    i++ // the slash (or past the end)
  }
  return ids as unknown as Path
}

/** Where a request goes: [gateway prefix or alternate path] + LwM2M path. */
export interface Target {
  /** Alternate path announced by the client, without slashes at the ends (e.g. "lwm2m"), or null. */
  readonly alternatePath: string | null
  /** Gateway end-device prefix (Object 25 resource 1), e.g. "dev1", or null. */
  readonly prefix: string | null
  readonly path: Path
}

/**
 * Parses "/lwm2m/3/0", "/dev1/3/0" or "/3/0". Leading non-numeric segments are taken as the
 * alternate path when it is known (`alternatePath`), otherwise as a gateway prefix.
 */
export function parseTarget(text: string, alternatePath: string | null = null): PathParse & { target?: Target } {
  let rest = text.startsWith('/') ? text : '/' + text
  let alt: string | null = null
  if (alternatePath) {
    const a = '/' + alternatePath.replace(/^\/+|\/+$/g, '')
    if (rest === a || rest.startsWith(a + '/')) {
      alt = a.slice(1)
      rest = rest.slice(a.length) || '/'
    }
  }
  let prefix: string | null = null
  const m = /^\/([^/0-9][^/]*)(\/.*)?$/.exec(rest)
  if (m) {
    prefix = m[1] as string
    rest = m[2] ?? '/'
  }
  const parsed = parsePath(rest)
  if (!parsed.ok) return parsed
  return { ok: true, path: parsed.path, target: { alternatePath: alt, prefix, path: parsed.path } }
}

export function formatTarget(t: Target): string {
  const head = (t.alternatePath ? '/' + t.alternatePath : '') + (t.prefix ? '/' + t.prefix : '')
  return t.path.length === 0 ? head || '/' : head + formatPath(t.path)
}

/** True when `inner` equals `outer` or lies below it. */
export function pathStartsWith(inner: Path, outer: Path): boolean {
  if (outer.length > inner.length) return false
  for (let i = 0; i < outer.length; i++) if (inner[i] !== outer[i]) return false
  return true
}

export function comparePaths(a: Path, b: Path): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number)
    if (d !== 0) return d
  }
  return a.length - b.length
}
