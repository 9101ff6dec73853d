// SPDX-License-Identifier: Apache-2.0
// A small runtime schema language for contract params. Each schema both validates untrusted
// input (the renderer and every WebSocket client are untrusted) and gives the static type through
// Infer<>, so the validator and the type can never drift apart. Dependency-free: contract/ is
// imported by the renderer, the preload and core-adjacent code alike.

export interface Issue {
  /** JSON-pointer-like location, "" for the root, "/key/0" below it. */
  readonly at: string
  readonly message: string
}

export interface Schema<T> {
  /** Human-readable shape, used in error messages and docs. */
  readonly describe: string
  check(value: unknown, at: string, issues: Issue[]): void
  /** Phantom, never set: carries T for Infer<>. */
  readonly __type?: T
}

export type Infer<S> = S extends Schema<infer T> ? T : never

function make<T>(describe: string, check: Schema<T>['check']): Schema<T> {
  return { describe, check }
}

const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)

export interface StringRules {
  readonly minLength?: number
  readonly maxLength?: number
  readonly pattern?: RegExp
  /** Longest UTF-8 encoding in bytes (protocol limits count bytes, not characters). */
  readonly maxBytes?: number
  /** Refuse control characters (C0, DEL, C1) and text that is not valid Unicode (lone surrogates). */
  readonly printable?: boolean
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

function utf8Length(s: string): number {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4
      i++
    } else n += 3
  }
  return n
}

export function string(rules: StringRules = {}): Schema<string> {
  return make('string', (v, at, issues) => {
    if (typeof v !== 'string') return void issues.push({ at, message: `expected a string, got ${typeOf(v)}` })
    if (rules.minLength !== undefined && v.length < rules.minLength)
      issues.push({ at, message: `must be at least ${rules.minLength} characters` })
    if (rules.maxLength !== undefined && v.length > rules.maxLength)
      issues.push({ at, message: `must be at most ${rules.maxLength} characters` })
    if (rules.pattern && !rules.pattern.test(v)) issues.push({ at, message: `must match ${rules.pattern}` })
    if (rules.maxBytes !== undefined && utf8Length(v) > rules.maxBytes)
      issues.push({ at, message: `must be at most ${rules.maxBytes} bytes of UTF-8` })
    if (rules.printable && (/[\u0000-\u001f\u007f-\u009f]/.test(v) || LONE_SURROGATE.test(v)))
      issues.push({ at, message: 'must not contain control characters or invalid Unicode' })
  })
}

export function integer(min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): Schema<number> {
  return make(`integer ${min}..${max}`, (v, at, issues) => {
    if (typeof v !== 'number' || !Number.isInteger(v))
      return void issues.push({ at, message: `expected an integer, got ${typeOf(v)}` })
    if (v < min || v > max) issues.push({ at, message: `must be in ${min}..${max}` })
  })
}

export function number(): Schema<number> {
  return make('number', (v, at, issues) => {
    if (typeof v !== 'number' || !Number.isFinite(v))
      issues.push({ at, message: `expected a finite number, got ${typeOf(v)}` })
  })
}

export function boolean(): Schema<boolean> {
  return make('boolean', (v, at, issues) => {
    if (typeof v !== 'boolean') issues.push({ at, message: `expected a boolean, got ${typeOf(v)}` })
  })
}

export function literal<const L extends readonly (string | number)[]>(...values: L): Schema<L[number]> {
  return make(values.map((x) => JSON.stringify(x)).join(' | '), (v, at, issues) => {
    if (!values.includes(v as string | number))
      issues.push({ at, message: `must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}` })
  })
}

export function array<T>(item: Schema<T>, maxItems = 10_000): Schema<T[]> {
  return make(`${item.describe}[]`, (v, at, issues) => {
    if (!Array.isArray(v)) return void issues.push({ at, message: `expected an array, got ${typeOf(v)}` })
    if (v.length > maxItems) return void issues.push({ at, message: `at most ${maxItems} items` })
    v.forEach((x, i) => item.check(x, `${at}/${i}`, issues))
  })
}

/** A value that may be left out (undefined); null is not accepted unless the inner schema says so. */
export interface OptionalSchema<T> extends Schema<T | undefined> {
  readonly optional: true
}

export function optional<T>(inner: Schema<T>): OptionalSchema<T> {
  return {
    describe: `${inner.describe}?`,
    optional: true,
    check(v, at, issues) {
      if (v !== undefined) inner.check(v, at, issues)
    }
  }
}

type Shape = Record<string, Schema<unknown>>
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalSchema<unknown> ? K : never }[keyof S]
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>
export type ObjectOf<S extends Shape> = { [K in RequiredKeys<S>]: Infer<S[K]> } & {
  [K in OptionalKeys<S>]?: Infer<S[K]>
}

/** A plain object with exactly these keys; unknown keys are refused so typos do not pass silently. */
export function object<S extends Shape>(shape: S): Schema<{ [K in keyof ObjectOf<S>]: ObjectOf<S>[K] }> {
  const keys = Object.keys(shape)
  return make(`{${keys.join(', ')}}`, (v, at, issues) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      return void issues.push({ at, message: `expected an object, got ${typeOf(v)}` })
    const rec = v as Record<string, unknown>
    // Own properties only: `in` also finds Object.prototype's names (constructor, toString,
    // __proto__), which would pass as known keys or count as present.
    for (const k of Object.keys(rec))
      if (!Object.hasOwn(shape, k)) issues.push({ at: `${at}/${k}`, message: 'unknown field' })
    for (const k of keys) {
      const s = shape[k] as Schema<unknown> & { optional?: true }
      if (!Object.hasOwn(rec, k) && !s.optional) issues.push({ at: `${at}/${k}`, message: 'required' })
      else s.check(rec[k], `${at}/${k}`, issues)
    }
  })
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** Any JSON value (depth- and size-limited so a hostile value cannot exhaust the stack). */
export function json(maxDepth = 32): Schema<Json> {
  const walk = (v: unknown, at: string, depth: number, issues: Issue[]): void => {
    if (depth > maxDepth) return void issues.push({ at, message: `nested deeper than ${maxDepth}` })
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) issues.push({ at, message: 'not a finite number' })
      return
    }
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${at}/${i}`, depth + 1, issues))
    if (typeof v === 'object') {
      for (const [k, x] of Object.entries(v as object)) walk(x, `${at}/${k}`, depth + 1, issues)
      return
    }
    issues.push({ at, message: `not JSON (${typeof v})` })
  }
  return make('json', (v, at, issues) => walk(v, at, 0, issues))
}

/** Runs a schema; returns the issues (empty when valid). */
export function validate(schema: Pick<Schema<unknown>, 'check'>, value: unknown): Issue[] {
  const issues: Issue[] = []
  schema.check(value, '', issues)
  return issues
}
