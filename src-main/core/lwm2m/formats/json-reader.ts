// SPDX-License-Identifier: Apache-2.0
// A JSON (RFC 8259) reader for strict decoders: JSON.parse gives no offsets, drops duplicate
// keys silently and rounds 64-bit integers, so this keeps every node's offset, every key (in
// order, duplicates included) and every number's exact text.

export type JsonNode =
  | { readonly kind: 'object'; readonly offset: number; readonly entries: readonly JsonEntry[] }
  | { readonly kind: 'array'; readonly offset: number; readonly items: readonly JsonNode[] }
  | { readonly kind: 'string'; readonly offset: number; readonly value: string }
  | { readonly kind: 'number'; readonly offset: number; readonly text: string }
  | { readonly kind: 'boolean'; readonly offset: number; readonly value: boolean }
  | { readonly kind: 'null'; readonly offset: number }

export interface JsonEntry {
  readonly key: string
  readonly keyOffset: number
  readonly value: JsonNode
}

export type JsonParse =
  | { readonly ok: true; readonly value: JsonNode }
  | { readonly ok: false; readonly offset: number; readonly reason: string }

class Failure {
  constructor(
    readonly offset: number,
    readonly reason: string
  ) {}
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y

/** Parses one JSON text; offsets are UTF-16 indexes into `text`. Nesting beyond `maxDepth` fails. */
export function parseJson(text: string, maxDepth = 64): JsonParse {
  let i = 0

  const fail = (at: number, reason: string): never => {
    throw new Failure(at, reason)
  }
  const skip = (): void => {
    for (;;) {
      const c = text.charCodeAt(i)
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++
      else return
    }
  }
  const describe = (at: number): string => (at >= text.length ? 'the end of the text' : `"${text[at]}"`)

  const str = (): string => {
    const start = i
    i++ // opening quote
    let out = ''
    let run = i
    for (;;) {
      if (i >= text.length) fail(start, 'unterminated string')
      const c = text.charCodeAt(i)
      if (c === 0x22) {
        out += text.slice(run, i)
        i++
        return out
      }
      if (c < 0x20) fail(i, 'control character in a string')
      if (c !== 0x5c) {
        i++
        continue
      }
      out += text.slice(run, i)
      const e = text[i + 1]
      const simple = e === undefined ? undefined : ESCAPES[e]
      if (simple !== undefined) {
        out += simple
        i += 2
      } else if (e === 'u') {
        const hex = text.slice(i + 2, i + 6)
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail(i, 'bad \\u escape')
        out += String.fromCharCode(parseInt(hex, 16))
        i += 6
      } else {
        fail(i, 'bad escape')
      }
      run = i
    }
  }

  const value = (depth: number): JsonNode => {
    skip()
    const at = i
    const c = text[i]
    if (c === '{') {
      if (depth >= maxDepth) fail(at, `nesting deeper than ${maxDepth}`)
      i++
      const entries: JsonEntry[] = []
      skip()
      if (text[i] === '}') {
        i++
        return { kind: 'object', offset: at, entries }
      }
      for (;;) {
        skip()
        if (text[i] !== '"') fail(i, `expected a key, found ${describe(i)}`)
        const keyOffset = i
        const key = str()
        skip()
        if (text[i] !== ':') fail(i, `expected ":", found ${describe(i)}`)
        i++
        entries.push({ key, keyOffset, value: value(depth + 1) })
        skip()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === '}') {
          i++
          return { kind: 'object', offset: at, entries }
        }
        fail(i, `expected "," or "}", found ${describe(i)}`)
      }
    }
    if (c === '[') {
      if (depth >= maxDepth) fail(at, `nesting deeper than ${maxDepth}`)
      i++
      const items: JsonNode[] = []
      skip()
      if (text[i] === ']') {
        i++
        return { kind: 'array', offset: at, items }
      }
      for (;;) {
        items.push(value(depth + 1))
        skip()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === ']') {
          i++
          return { kind: 'array', offset: at, items }
        }
        fail(i, `expected "," or "]", found ${describe(i)}`)
      }
    }
    if (c === '"') return { kind: 'string', offset: at, value: str() }
    if (text.startsWith('true', i)) {
      i += 4
      return { kind: 'boolean', offset: at, value: true }
    }
    if (text.startsWith('false', i)) {
      i += 5
      return { kind: 'boolean', offset: at, value: false }
    }
    if (text.startsWith('null', i)) {
      i += 4
      return { kind: 'null', offset: at }
    }
    NUMBER.lastIndex = i
    const m = NUMBER.exec(text)
    if (m) {
      i += m[0].length
      return { kind: 'number', offset: at, text: m[0] }
    }
    return fail(at, `expected a value, found ${describe(at)}`)
  }

  try {
    const v = value(0)
    skip()
    if (i < text.length) fail(i, `unexpected ${describe(i)} after the JSON value`)
    return { ok: true, value: v }
  } catch (e) {
    if (e instanceof Failure) return { ok: false, offset: e.offset, reason: e.reason }
    throw e
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t'
}
