// SPDX-License-Identifier: Apache-2.0
// Notification attributes as a Write-Attributes or Observe query carries them
// (`?pmin=10&pmax=60&gt=20.5&st`, C §5.1.2 in 1.2.0 / §7.3 from 1.2.1, facts §2.8, §3.3).
// A valueless attribute unsets it at that level. Parsing is total: problems are violations
// with their character offset in the query; the caller decides whether to answer 4.00.
import { EncodeError } from './codec'
import { formatDecimal, parseDecimal } from './decimal'
import { findResource, type ObjectModel } from './model'
import { pathLevel, type Path } from './path'
import type { ResourceType } from './value'
import { ViolationList, type Violation } from '../violation'

/** In the order formatAttributeQuery writes them. */
export const NOTIFICATION_ATTRIBUTES = [
  'pmin', 'pmax', 'gt', 'lt', 'st', 'epmin', 'epmax', 'edge', 'con', 'hqmax'
] as const

export type NotificationAttributeName = (typeof NOTIFICATION_ATTRIBUTES)[number]

/** A number sets the attribute; null (a valueless `st` in the query) unsets it at that level. */
export type NotificationAttributes = { readonly [K in NotificationAttributeName]?: number | null }

export interface AttributeContext {
  /** The request path: decides which attributes apply at its level. */
  readonly path?: Path
  /** The target object's model: lets gt/lt/st and edge be checked against the resource type. */
  readonly model?: ObjectModel
}

export interface AttributeParse {
  readonly attributes: NotificationAttributes
  readonly violations: Violation[]
}

const SECTION = 'LwM2M 1.2 Core §5.1.2 (§7.3 from 1.2.1)'
const INTEGER = new Set<string>(['pmin', 'pmax', 'epmin', 'epmax', 'hqmax', 'edge', 'con'])
const FLAG = new Set<string>(['edge', 'con'])
/** Only meaningful on a (numeric or boolean) resource or resource instance (facts §2.8). */
const RESOURCE_ONLY = new Set<string>(['gt', 'lt', 'st', 'edge'])
/** Observe-Composite on "/" takes these only (facts §3.4). */
const ROOT = new Set<string>(['pmin', 'pmax', 'epmin', 'epmax', 'con'])
const NUMERIC: readonly ResourceType[] = ['integer', 'unsigned', 'float']

function isName(s: string): s is NotificationAttributeName {
  return (NOTIFICATION_ATTRIBUTES as readonly string[]).includes(s)
}

/** Parses "pmin=10&pmax=60&st" (a leading "?" is allowed). Never throws. */
export function parseAttributeQuery(query: string, ctx: AttributeContext = {}): AttributeParse {
  const v = new ViolationList()
  const attrs: { [K in NotificationAttributeName]?: number | null } = {}
  const offsets: Partial<Record<NotificationAttributeName, number>> = {}
  let at = query.startsWith('?') ? 1 : 0
  const body = query.slice(at)
  if (body !== '') {
    for (const part of body.split('&')) {
      parseOne(part, at, v, attrs, offsets)
      at += part.length + 1
    }
  }
  check(attrs, ctx, offsets, v)
  // Rule checks run in attribute order; report everything in reading order.
  return { attributes: attrs, violations: [...v.items].sort((x, y) => x.offset - y.offset) }
}

function parseOne(
  part: string,
  at: number,
  v: ViolationList,
  attrs: { [K in NotificationAttributeName]?: number | null },
  offsets: Partial<Record<NotificationAttributeName, number>>
): void {
  if (part === '') {
    v.add(at, 'attributes.empty-parameter', SECTION, "an empty parameter between '&'s")
    return
  }
  const eq = part.indexOf('=')
  const name = eq < 0 ? part : part.slice(0, eq)
  if (!isName(name)) {
    v.add(at, 'attributes.unknown', SECTION, `'${name}' is not a notification attribute`)
    return
  }
  // offsets records every name seen, valid or not, so a repeat is always reported.
  if (Object.hasOwn(offsets, name)) {
    v.add(at, 'attributes.duplicate', SECTION, `'${name}' appears twice; the first is kept`)
    return
  }
  offsets[name] = at
  if (eq < 0) {
    attrs[name] = null
    return
  }
  const text = part.slice(eq + 1)
  const valueAt = at + eq + 1
  if (text === '') {
    const hint = `'${name}=' has no value; write '${name}' alone to unset it`
    v.add(valueAt, 'attributes.empty-value', SECTION, hint)
    return
  }
  if (INTEGER.has(name)) {
    if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(Number(text))) {
      const hint = `'${name}=${text}' is not a non-negative integer`
      v.add(valueAt, 'attributes.not-integer', SECTION, hint)
      return
    }
    const n = Number(text)
    if (FLAG.has(name) && n > 1) {
      v.add(valueAt, 'attributes.out-of-range', SECTION, `'${name}' is 0 or 1, not ${text}`)
      return
    }
    attrs[name] = n
    return
  }
  // gt, lt, st: the ABNF has no sign or exponent, yet negative thresholds are real (facts §7).
  const n = parseDecimal(text)
  if (n === null) {
    v.add(valueAt, 'attributes.not-decimal', SECTION, `'${name}=${text}' is not a decimal number`)
    return
  }
  if (name === 'st' && n < 0) {
    v.add(valueAt, 'attributes.out-of-range', SECTION, "'st' (step) must not be negative")
    return
  }
  attrs[name] = n
}

/** The consistency and applicability rules, on an already-typed set (offsets are 0). */
export function checkAttributes(
  attrs: NotificationAttributes,
  ctx: AttributeContext = {}
): Violation[] {
  const v = new ViolationList()
  check(attrs, ctx, {}, v)
  return v.items
}

function check(
  a: NotificationAttributes,
  ctx: AttributeContext,
  offsets: Partial<Record<NotificationAttributeName, number>>,
  v: ViolationList
): void {
  const flag = (n: NotificationAttributeName, rule: string, message: string): void =>
    v.add(offsets[n] ?? 0, 'attributes.' + rule, SECTION, message)
  const num = (n: NotificationAttributeName): number | undefined => {
    const x = a[n]
    return typeof x === 'number' ? x : undefined
  }
  const pmin = num('pmin')
  const pmax = num('pmax')
  // pmax 0 means "no maximum" (facts §2.8); a pmax below pmin is ignored by the client.
  if (pmin !== undefined && pmax !== undefined && pmax > 0 && pmax < pmin) {
    flag('pmax', 'pmax-below-pmin', `pmax (${pmax}) must be at least pmin (${pmin})`)
  }
  const epmin = num('epmin')
  const epmax = num('epmax')
  if (epmin !== undefined && epmax !== undefined && epmin >= epmax) {
    const hint = `epmin (${epmin}) should be below epmax (${epmax}); a client may ignore both`
    flag('epmax', 'epmin-not-below-epmax', hint)
  }
  const gt = num('gt')
  const lt = num('lt')
  const st = num('st')
  if (gt !== undefined && lt !== undefined) {
    if (lt >= gt) flag('lt', 'lt-not-below-gt', `lt (${lt}) must be below gt (${gt})`)
    else if (st !== undefined && lt + 2 * st >= gt) {
      flag('st', 'step-too-wide', `lt + 2·st (${lt + 2 * st}) must be below gt (${gt})`)
    }
  }
  if (!ctx.path) return
  const level = pathLevel(ctx.path)
  for (const name of NOTIFICATION_ATTRIBUTES) {
    if (a[name] === undefined) continue
    const aboveResource = level === 'object' || level === 'instance'
    const misplaced = level === 'root' ? !ROOT.has(name) : aboveResource && RESOURCE_ONLY.has(name)
    if (misplaced) flag(name, 'level', `'${name}' does not apply at the ${level} level`)
  }
  const resourceId = ctx.path[2]
  if (!ctx.model || resourceId === undefined || ctx.model.id !== ctx.path[0]) return
  const resource = findResource(ctx.model, resourceId)
  if (!resource) return
  for (const name of ['gt', 'lt', 'st'] as const) {
    if (a[name] !== undefined && !NUMERIC.includes(resource.type)) {
      flag(name, 'type', `'${name}' needs a numeric resource; ${resource.name} is ${resource.type}`)
    }
  }
  if (a.edge !== undefined && resource.type !== 'boolean') {
    flag('edge', 'type', `'edge' needs a boolean resource; ${resource.name} is ${resource.type}`)
  }
}

/**
 * Writes the query (without "?") in a fixed order; null writes a valueless (unsetting)
 * attribute. Throws EncodeError for values no client could read.
 */
export function formatAttributeQuery(attrs: NotificationAttributes): string {
  const out: string[] = []
  for (const name of NOTIFICATION_ATTRIBUTES) {
    const value = attrs[name]
    if (value === undefined) continue
    if (value === null) {
      out.push(name)
      continue
    }
    if (!Number.isFinite(value)) throw new EncodeError('attributes.not-finite', `'${name}' is ${value}`)
    const max = FLAG.has(name) ? 1 : Number.MAX_SAFE_INTEGER
    if (INTEGER.has(name) && !(Number.isInteger(value) && value >= 0 && value <= max)) {
      const want = max === 1 ? '0 or 1' : 'a non-negative integer'
      throw new EncodeError('attributes.not-integer', `'${name}' must be ${want}, not ${value}`)
    }
    if (name === 'st' && value < 0) {
      throw new EncodeError('attributes.out-of-range', "'st' must not be negative")
    }
    out.push(`${name}=${formatDecimal(value)}`)
  }
  return out.join('&')
}
