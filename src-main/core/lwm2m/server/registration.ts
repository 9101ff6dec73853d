// SPDX-License-Identifier: Apache-2.0
// The Client Registration interface's parameters (C §6.2, T §6.4.3 Tbl 6.4.3-1/-2): Register and
// Update query strings and the object-link payload, checked the way a strict server must answer
// them: 4.00 for a missing or malformed parameter, 4.12 for an LwM2M version it does not support
// (VER-01..04), 4.09 when the object list cannot be determined (unknown pid without a payload,
// LwM2M-Ident-01/02).
import { parseLinkFormat } from '../link-format'
import type { Violation } from '../../violation'

/** Enabler versions this server speaks ("1.2.x" releases share the 1.2 interfaces). */
export const SUPPORTED_VERSIONS: readonly string[] = ['1.0', '1.1', '1.2', '1.2.1', '1.2.2']

/** CoAP codes the checks answer with, as class*32+detail. */
const BAD_REQUEST = 128
const CONFLICT = 137
const PRECONDITION_FAILED = 140

export interface RegisterParams {
  readonly endpoint: string
  /** Seconds; 0 = no expiry (1.2). */
  readonly lifetime: number
  readonly lwm2mVersion: string
  /** Binding letters as sent, e.g. "U", "UQ" (1.0), "UT" (1.1+). */
  readonly binding: string
  /** 1.1+: the Q flag; 1.0: Q inside the binding. */
  readonly queueMode: boolean
  readonly smsNumber: string | null
  readonly profileId: string | null
}

export type UpdateParams = Partial<Pick<RegisterParams, 'lifetime' | 'binding' | 'queueMode' | 'smsNumber' | 'profileId'>>

export type Refusal = { readonly ok: false; readonly code: number; readonly reason: string }

const DEFAULT_LIFETIME = 86400 // C §6.2.1.1: /1/x/1 has no default; 86400 is the common one when lt is absent
const BINDING_10 = new Set(['U', 'UQ', 'S', 'SQ', 'US', 'UQS'])

function splitQuery(query: readonly string[]): Map<string, string | true> | Refusal {
  const out = new Map<string, string | true>()
  for (const q of query) {
    const eq = q.indexOf('=')
    const key = eq < 0 ? q : q.slice(0, eq)
    if (out.has(key)) return { ok: false, code: BAD_REQUEST, reason: `parameter "${key}" appears twice` }
    out.set(key, eq < 0 ? true : q.slice(eq + 1))
  }
  return out
}

function lifetimeOf(v: string | true): number | Refusal {
  if (v === true || !/^[0-9]{1,10}$/.test(v) || Number(v) > 0xffffffff)
    return { ok: false, code: BAD_REQUEST, reason: `lt must be a number of seconds, got ${JSON.stringify(v)}` }
  return Number(v)
}

/** Binding letters: 1.0 combinations, or 1.1+ letters from U T S N (M H in 1.2) without repeats. */
export function checkBinding(b: string, version: string): string | null {
  if (version === '1.0') return BINDING_10.has(b) ? null : `binding "${b}" is not one of ${[...BINDING_10].join(', ')} (LwM2M 1.0)`
  const allowed = version.startsWith('1.2') ? 'UTSNMH' : 'UTSN'
  if (b.length === 0) return 'binding is empty'
  for (const c of b) if (!allowed.includes(c)) return `binding letter "${c}" is not one of ${allowed.split('').join(', ')} (LwM2M ${version})`
  for (let i = 1; i < b.length; i++) if (b.lastIndexOf(b[i] as string, i - 1) >= 0) return `binding "${b}" repeats a letter`
  return null
}

const REGISTER_PARAMETERS: ReadonlySet<string> = new Set(['ep', 'lt', 'lwm2m', 'b', 'Q', 'sms', 'pid'])

/** Register: `/rd?ep=..&lt=..&lwm2m=..&b=..&Q&sms=..&pid=..` (T §6.4.3). */
export function parseRegisterQuery(query: readonly string[]): { ok: true; params: RegisterParams } | Refusal {
  const q = splitQuery(query)
  if ('ok' in q) return q
  for (const k of q.keys()) if (!REGISTER_PARAMETERS.has(k)) return { ok: false, code: BAD_REQUEST, reason: `unknown parameter "${k}"` }
  const version = q.get('lwm2m')
  // Before 1.1 the version was optional in practice (many 1.0 clients omit it): read absence as 1.0.
  const lwm2mVersion = version === undefined ? '1.0' : version === true ? '' : version
  if (!SUPPORTED_VERSIONS.includes(lwm2mVersion))
    return { ok: false, code: PRECONDITION_FAILED, reason: `LwM2M version "${lwm2mVersion}" is not supported (this server speaks ${SUPPORTED_VERSIONS.join(', ')})` }
  const ep = q.get('ep')
  // 1.1+ make ep optional when a security identity names the client; without DTLS there is none.
  if (ep === undefined || ep === true || ep === '')
    return { ok: false, code: BAD_REQUEST, reason: 'missing endpoint name (ep)' }
  let lifetime = DEFAULT_LIFETIME
  const lt = q.get('lt')
  if (lt !== undefined) {
    const l = lifetimeOf(lt)
    if (typeof l !== 'number') return l
    lifetime = l
  }
  const bRaw = q.get('b')
  const binding = bRaw === undefined ? 'U' : bRaw === true ? '' : bRaw
  const bad = checkBinding(binding, lwm2mVersion)
  if (bad) return { ok: false, code: BAD_REQUEST, reason: bad }
  const qFlag = q.get('Q')
  if (qFlag !== undefined && qFlag !== true) return { ok: false, code: BAD_REQUEST, reason: 'Q is a flag and takes no value' }
  if (qFlag !== undefined && lwm2mVersion === '1.0') return { ok: false, code: BAD_REQUEST, reason: 'LwM2M 1.0 puts queue mode in b (UQ), not in Q' }
  const sms = q.get('sms')
  const pid = q.get('pid')
  if (pid !== undefined && !lwm2mVersion.startsWith('1.2'))
    return { ok: false, code: BAD_REQUEST, reason: `pid is a LwM2M 1.2 parameter (client says ${lwm2mVersion})` }
  return {
    ok: true,
    params: {
      endpoint: ep,
      lifetime,
      lwm2mVersion,
      binding,
      queueMode: lwm2mVersion === '1.0' ? binding.includes('Q') : qFlag === true,
      smsNumber: typeof sms === 'string' ? sms : null,
      profileId: typeof pid === 'string' ? pid : null
    }
  }
}

/** Update: `/rd/{id}?lt&b&Q&sms&pid`, each only when changed (T §6.4.3). */
export function parseUpdateQuery(query: readonly string[], version: string): { ok: true; params: UpdateParams } | Refusal {
  const q = splitQuery(query)
  if ('ok' in q) return q
  const params: { -readonly [K in keyof UpdateParams]: UpdateParams[K] } = {}
  for (const [k, v] of q) {
    if (k === 'lt') {
      const l = lifetimeOf(v)
      if (typeof l !== 'number') return l
      params.lifetime = l
    } else if (k === 'b') {
      const b = v === true ? '' : v
      const bad = checkBinding(b, version)
      if (bad) return { ok: false, code: BAD_REQUEST, reason: bad }
      params.binding = b
      if (version === '1.0') params.queueMode = b.includes('Q')
    } else if (k === 'Q' && v === true && version !== '1.0') params.queueMode = true
    else if (k === 'sms' && typeof v === 'string') params.smsNumber = v
    else if (k === 'pid' && typeof v === 'string') params.profileId = v
    else return { ok: false, code: BAD_REQUEST, reason: `unexpected parameter "${k}" in an Update` }
  }
  return { ok: true, params }
}

/** One object or instance a client registered, with its announced object version (RD-01). */
export interface RegisteredObject {
  readonly objectId: number
  readonly instanceId: number | null
  /** `ver=` on the object link; null = the version the enabler implies (1.0 objects for 1.0, …). */
  readonly version: string | null
}

export interface ObjectList {
  readonly objects: readonly RegisteredObject[]
  /** Alternate path from `</xxx>;rt="oma.lwm2m"`, without slashes; null = none ("/"). */
  readonly alternatePath: string | null
  /** Content formats from the root link's `ct` (C §6.2.1), empty when not announced. */
  readonly contentFormats: readonly number[]
  readonly violations: readonly Violation[]
}

const MAX_USABLE_ID = 65534

function listProblem(offset: number, rule: string, message: string): Violation {
  return { offset, rule, section: 'LwM2M 1.2 Core §6.2.1, §7.1', message }
}

/** The Register/Update payload (CF 40): `</>;ct=110,</1>;ver=1.2,</1/0>,</3/0>`. */
export function parseObjectList(text: string): ObjectList {
  const { links, violations } = parseLinkFormat(text)
  let alternatePath: string | null = null
  for (const l of links) if (l.attributes['rt'] === 'oma.lwm2m') alternatePath = l.target.replace(/^\/+|\/+$/g, '') || null
  const prefix = alternatePath ? '/' + alternatePath : ''
  const objects: RegisteredObject[] = []
  const problems: Violation[] = [...violations]
  const seen = new Set<number>()
  let contentFormats: number[] = []
  // Where each link starts, for the problems' offsets (a forward scan, no string built per link).
  let from = 0
  for (const l of links) {
    const found = text.indexOf(l.target, from)
    const at = found > 0 ? found - 1 : from
    if (found >= 0) from = found + l.target.length
    if (l.attributes['rt'] === 'oma.lwm2m') {
      const ct = l.attributes['ct']
      if (ct !== undefined) contentFormats = Array.isArray(ct) ? ct : typeof ct === 'number' ? [ct] : []
      continue
    }
    const target = prefix && l.target.startsWith(prefix + '/') ? l.target.slice(prefix.length) : l.target
    if (target === '/' || target === '') {
      const ct = l.attributes['ct']
      if (ct !== undefined) contentFormats = Array.isArray(ct) ? ct : typeof ct === 'number' ? [ct] : []
      continue
    }
    // The link parser has read a well-formed /O or /O/I already; anything else (leading zeros…)
    // is read here as before.
    let objectId: number
    let instanceId: number | null
    const path = prefix === '' ? l.path : undefined
    if (path !== undefined && (path.length === 1 || path.length === 2)) {
      objectId = path[0]
      instanceId = path.length === 2 ? path[1] : null
    } else {
      const m = /^\/(\d+)(?:\/(\d+))?\/?$/.exec(target)
      if (!m) {
        problems.push(listProblem(at, 'register.not-object-link', `<${l.target}> names neither an object nor an object instance; left out of the object list`))
        continue
      }
      objectId = Number(m[1])
      instanceId = m[2] === undefined ? null : Number(m[2])
    }
    // IDs are 16 bit and 65535 (MAX_ID) is reserved (C §7.1): such a link cannot be addressed.
    if (objectId > MAX_USABLE_ID || (instanceId !== null && instanceId > MAX_USABLE_ID)) {
      const which = objectId > MAX_USABLE_ID ? `object id ${objectId}` : `instance id ${instanceId}`
      problems.push(listProblem(at, 'register.id-out-of-range', `<${l.target}>: ${which} is outside 0..65534 (65535 is reserved); left out of the object list`))
      continue
    }
    const key = objectId * 65536 + (instanceId === null ? 65535 : instanceId)
    if (seen.has(key)) {
      problems.push(listProblem(at, 'register.duplicate-link', `<${l.target}> is listed more than once; the first one counts`))
      continue
    }
    seen.add(key)
    const ver = l.attributes['ver']
    objects.push({ objectId, instanceId, version: typeof ver === 'string' ? ver : typeof ver === 'number' ? String(ver) : null })
  }
  return { objects, alternatePath, contentFormats, violations: problems }
}

export { BAD_REQUEST, CONFLICT, PRECONDITION_FAILED }
