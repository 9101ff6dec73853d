// SPDX-License-Identifier: Apache-2.0
// The packet filter language (docs/filters.md), shared by the Packets view and the `pcap` CLI:
//
//   expr  := or ; or := and ("||" and)* ; and := unary ("&&" unary)*
//   unary := "!" unary | "(" expr ")" | key op value
//
// e.g. `ep=sim-7 && op=read && code>=4.00`. Parsing gives an AST or an error with the column it
// points at; compiling binds the AST to a frame store's columns so that a million frames are
// tested without building a row each.
import { resolveFormat } from '../lwm2m/content-format'
import { NO_OP } from './analyzer'
import type { FrameColumns } from './frame-store'
import { OPERATIONS, OP_INDEX, type Operation } from './operation'

export const FILTER_KEYS = ['ep', 'op', 'path', 'code', 'cf', 'dir', 'transport', 'time', 'text'] as const
export type FilterKey = (typeof FILTER_KEYS)[number]
export type Comparison = '=' | '!=' | '>=' | '<=' | '>' | '<' | '~'

export type FilterNode =
  | { readonly kind: 'and' | 'or'; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly kind: 'not'; readonly inner: FilterNode }
  | { readonly kind: 'test'; readonly key: FilterKey; readonly cmp: Comparison; readonly value: string; readonly column: number }

export interface FilterError {
  /** 1-based column of the character the error points at. */
  readonly column: number
  readonly message: string
}

export type FilterParse = { readonly ok: true; readonly filter: FilterNode | null } | { readonly ok: false; readonly error: FilterError }

const ALLOWED: Readonly<Record<FilterKey, readonly Comparison[]>> = {
  ep: ['=', '!='], op: ['=', '!='], path: ['=', '!='], cf: ['=', '!='], dir: ['=', '!='], transport: ['=', '!='],
  code: ['=', '!=', '>=', '<=', '>', '<'], time: ['>=', '<=', '>', '<'], text: ['~']
}

interface Token {
  readonly kind: 'word' | 'string' | 'op' | '&&' | '||' | '!' | '(' | ')' | 'end'
  readonly text: string
  /** 0-based offset. */
  readonly at: number
}

class ParseError extends Error {
  constructor(readonly at: number, message: string) {
    super(message)
  }
}

const WORD = /[A-Za-z0-9_.:/*+\-[\]@%]/

function tokenize(src: string): Token[] {
  const out: Token[] = []
  let i = 0
  while (i < src.length) {
    const ch = src[i] as string
    if (/\s/.test(ch)) {
      i++
      continue
    }
    const two = src.slice(i, i + 2)
    if (two === '&&' || two === '||') {
      out.push({ kind: two, text: two, at: i })
      i += 2
    } else if (two === '>=' || two === '<=' || two === '!=') {
      out.push({ kind: 'op', text: two, at: i })
      i += 2
    } else if (ch === '=' || ch === '>' || ch === '<' || ch === '~') {
      out.push({ kind: 'op', text: ch, at: i })
      i += src[i + 1] === '=' && ch === '=' ? 2 : 1
    } else if (ch === '!' || ch === '(' || ch === ')') {
      out.push({ kind: ch, text: ch, at: i })
      i++
    } else if (ch === '"') {
      let s = ''
      let j = i + 1
      for (; j < src.length && src[j] !== '"'; j++) {
        if (src[j] === '\\' && j + 1 < src.length) j++
        s += src[j]
      }
      if (j >= src.length) throw new ParseError(i, 'this quoted value has no closing "')
      out.push({ kind: 'string', text: s, at: i })
      i = j + 1
    } else if (WORD.test(ch)) {
      let j = i
      while (j < src.length && WORD.test(src[j] as string)) j++
      out.push({ kind: 'word', text: src.slice(i, j), at: i })
      i = j
    } else if (ch === '&' || ch === '|') {
      throw new ParseError(i, `"${ch}" alone is not an operator; write "${ch}${ch}"`)
    } else {
      throw new ParseError(i, `unexpected character "${ch}"`)
    }
  }
  out.push({ kind: 'end', text: '', at: src.length })
  return out
}

/** Parses a filter; an empty text is the filter that matches everything (null). */
export function parseFilter(src: string): FilterParse {
  try {
    const tokens = tokenize(src)
    if (tokens.length === 1) return { ok: true, filter: null }
    let p = 0
    const peek = (): Token => tokens[p] as Token
    const next = (): Token => tokens[p++] as Token
    const or = (): FilterNode => {
      let left = and()
      while (peek().kind === '||') {
        next()
        left = { kind: 'or', left, right: and() }
      }
      return left
    }
    const and = (): FilterNode => {
      let left = unary()
      while (peek().kind === '&&') {
        next()
        left = { kind: 'and', left, right: unary() }
      }
      return left
    }
    const unary = (): FilterNode => {
      const t = next()
      if (t.kind === '!') return { kind: 'not', inner: unary() }
      if (t.kind === '(') {
        const inner = or()
        const close = next()
        if (close.kind !== ')') throw new ParseError(close.at, close.kind === 'end' ? 'a "(" is not closed' : `expected ")" but found "${close.text}"`)
        return inner
      }
      if (t.kind !== 'word') throw new ParseError(t.at, t.kind === 'end' ? 'the filter ends where a test (e.g. op=read) was expected' : `expected a test such as ep=dev1, found "${t.text}"`)
      const key = t.text as FilterKey
      if (!FILTER_KEYS.includes(key)) throw new ParseError(t.at, `unknown key "${t.text}"; keys are ${FILTER_KEYS.join(', ')}`)
      const op = next()
      if (op.kind !== 'op') throw new ParseError(op.at, `expected a comparison after "${key}" (${ALLOWED[key].join(' ')})`)
      const cmp = (op.text === '==' ? '=' : op.text) as Comparison
      if (!ALLOWED[key].includes(cmp)) throw new ParseError(op.at, `"${key}" takes ${ALLOWED[key].join(' ')}, not ${op.text}`)
      const v = next()
      if (v.kind !== 'word' && v.kind !== 'string') throw new ParseError(v.at, `expected a value after ${key}${op.text}`)
      checkValue(key, v)
      return { kind: 'test', key, cmp, value: v.text, column: t.at + 1 }
    }
    const filter = or()
    const rest = peek()
    if (rest.kind !== 'end') throw new ParseError(rest.at, rest.kind === ')' ? 'this ")" has no "("' : `expected && or || before "${rest.text}"`)
    return { ok: true, filter }
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, error: { column: e.at + 1, message: e.message } }
    throw e
  }
}

function checkValue(key: FilterKey, v: Token): void {
  const s = v.text
  switch (key) {
    case 'op':
      if (!(OPERATIONS as readonly string[]).includes(s)) throw new ParseError(v.at, `unknown operation "${s}"; one of ${OPERATIONS.join(', ')}`)
      return
    case 'code':
      if (codeRange(s) === null) throw new ParseError(v.at, `"${s}" is not a code: write 2.05, 4.xx or a method (GET, POST, ...)`)
      return
    case 'cf':
      if (resolveFormat(s) === null && !/^[0-9]+$/.test(s)) throw new ParseError(v.at, `unknown content format "${s}" (a name such as senml-cbor, or a number)`)
      return
    case 'dir':
      if (s !== 'in' && s !== 'out') throw new ParseError(v.at, 'dir is in or out')
      return
    case 'time':
      if (parseTime(s, 0) === null) throw new ParseError(v.at, `"${s}" is not a time: ISO 8601 (2026-01-31T10:00:00Z) or relative (-5m, -30s, -2h, -1d)`)
      return
    case 'path':
      if (!/^\/([0-9]+(\/[0-9]+){0,3})?$/.test(s)) throw new ParseError(v.at, `"${s}" is not an LwM2M path such as /3/0/1`)
      return
    default:
  }
}

const METHODS: Readonly<Record<string, number>> = { GET: 1, POST: 2, PUT: 3, DELETE: 4, FETCH: 5, PATCH: 6, IPATCH: 7 }

/** [low, high] code values a code text stands for: "4.04" one code, "4.xx" a class. */
export function codeRange(s: string): [number, number] | null {
  const m = METHODS[s.toUpperCase()]
  if (m !== undefined) return [m, m]
  const cls = /^([0-7])\.(xx|[0-9]{2})$/i.exec(s)
  if (!cls) return null
  const c = Number(cls[1]) * 32
  if ((cls[2] as string).toLowerCase() === 'xx') return [c, c + 31]
  const d = Number(cls[2])
  return d > 31 ? null : [c + d, c + d]
}

/** Milliseconds since the epoch for an ISO time or a relative "-5m" (from `now`). */
export function parseTime(s: string, now: number): number | null {
  const rel = /^-([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)$/.exec(s)
  if (rel) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 'ms']
    return now - Number(rel[1]) * unit
  }
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}/.test(s)) return null
  const t = Date.parse(s)
  return Number.isNaN(t) ? null : t
}

// ---------------------------------------------------------------------------------------------
// Compiling against a frame store

export interface FilterEnv {
  /** Interned strings of the store: entries to match endpoints and paths against. */
  readonly strings: { entries(): IterableIterator<[string, number]>; readonly size: number }
  transportId(name: string): number
  readonly now: number
  /** The decoded text of a frame, for text~ (only called when a filter uses it). */
  text(id: number): string
}

export type FramePredicate = (id: number, cols: FrameColumns, i: number) => boolean

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`)
}

/** Ids of the interned strings `match` accepts, as a lookup table. */
function idSet(env: FilterEnv, match: (s: string) => boolean): Uint8Array {
  const set = new Uint8Array(env.strings.size + 1)
  for (const [s, id] of env.strings.entries()) if (match(s)) set[id] = 1
  return set
}

export function compileFilter(node: FilterNode | null, env: FilterEnv): FramePredicate {
  if (node === null) return () => true
  switch (node.kind) {
    case 'and': {
      const l = compileFilter(node.left, env)
      const r = compileFilter(node.right, env)
      return (id, c, i) => l(id, c, i) && r(id, c, i)
    }
    case 'or': {
      const l = compileFilter(node.left, env)
      const r = compileFilter(node.right, env)
      return (id, c, i) => l(id, c, i) || r(id, c, i)
    }
    case 'not': {
      const inner = compileFilter(node.inner, env)
      return (id, c, i) => !inner(id, c, i)
    }
    default:
      return compileTest(node, env)
  }
}

function negate(cmp: Comparison, p: FramePredicate): FramePredicate {
  return cmp === '!=' ? (id, c, i) => !p(id, c, i) : p
}

function compileTest(t: Extract<FilterNode, { kind: 'test' }>, env: FilterEnv): FramePredicate {
  const v = t.value
  switch (t.key) {
    case 'ep': {
      const re = v.includes('*') ? globToRegExp(v) : null
      const set = idSet(env, (s) => (re ? re.test(s) : s === v))
      return negate(t.cmp, (_id, c, i) => set[c.ep[i] as number] === 1)
    }
    case 'path': {
      const prefix = v === '/' ? '' : v
      const set = idSet(env, (s) => s.startsWith('/') && (prefix === '' || s === prefix || s.startsWith(prefix + '/')))
      return negate(t.cmp, (_id, c, i) => set[c.path[i] as number] === 1)
    }
    case 'op': {
      const n = OP_INDEX[v as Operation] ?? NO_OP
      return negate(t.cmp, (_id, c, i) => c.op[i] === n)
    }
    case 'cf': {
      const n = resolveFormat(v) ?? Number(v)
      return negate(t.cmp, (_id, c, i) => c.cf[i] === n)
    }
    case 'dir': {
      const n = v === 'in' ? 1 : 2
      return negate(t.cmp, (_id, c, i) => ((c.flags[i] as number) & 3) === n)
    }
    case 'transport': {
      const n = env.transportId(v)
      return negate(t.cmp, (_id, c, i) => c.transport[i] === n)
    }
    case 'code': {
      const [lo, hi] = codeRange(v) as [number, number]
      // Frames without a CoAP code (-1) never match a code test, whatever the comparison.
      switch (t.cmp) {
        case '=': return (_id, c, i) => (c.code[i] as number) >= lo && (c.code[i] as number) <= hi
        case '!=': return (_id, c, i) => (c.code[i] as number) >= 0 && ((c.code[i] as number) < lo || (c.code[i] as number) > hi)
        case '>=': return (_id, c, i) => (c.code[i] as number) >= lo
        case '>': return (_id, c, i) => (c.code[i] as number) > hi
        case '<=': return (_id, c, i) => (c.code[i] as number) >= 0 && (c.code[i] as number) <= hi
        default: return (_id, c, i) => (c.code[i] as number) >= 0 && (c.code[i] as number) < lo
      }
    }
    case 'time': {
      const at = parseTime(v, env.now) as number
      switch (t.cmp) {
        case '>=': return (_id, c, i) => (c.at[i] as number) >= at
        case '>': return (_id, c, i) => (c.at[i] as number) > at
        case '<=': return (_id, c, i) => (c.at[i] as number) <= at
        default: return (_id, c, i) => (c.at[i] as number) < at
      }
    }
    case 'text': {
      const needle = v.toLowerCase()
      return (id) => env.text(id).toLowerCase().includes(needle)
    }
  }
}
