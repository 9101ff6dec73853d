// SPDX-License-Identifier: Apache-2.0
// A strict pull reader for JSON text (RFC 8259). JSON.parse cannot say where a problem is,
// silently keeps the last of duplicate keys and rounds 64-bit integers; SenML JSON and legacy OMA
// JSON need all three, so formats walk the text with this cursor (or take parseJson's tree, built
// with it). Offsets are UTF-16 character offsets into the decoded text. Syntax errors are
// recorded and then thrown as JsonError, which format decoders catch at their boundary.
import { ViolationList } from '../violation'

const SECTION = 'RFC 8259 §2'
/** 10^0..10^15, all exact doubles. */
const POW10: readonly number[] = Array.from({ length: 16 }, (_, i) => 10 ** i)

export class JsonError extends Error {
  constructor(readonly offset: number) {
    super(`JSON syntax error at ${offset}`)
    this.name = 'JsonError'
  }
}

export class JsonReader {
  pos = 0
  /** After readNumber: true when the lexeme had a fraction or an exponent. */
  wasFloat = false
  private readonly maxDepth: number

  constructor(
    readonly text: string,
    readonly violations: ViolationList,
    maxDepth = 64
  ) {
    this.maxDepth = maxDepth
  }

  fail(offset: number, message: string, rule = 'json.syntax'): never {
    this.violations.add(offset, rule, SECTION, message)
    throw new JsonError(offset)
  }

  /** Skips whitespace and returns the next character code, or -1 at the end. */
  peek(): number {
    const t = this.text
    let p = this.pos
    // Compact JSON (what devices send) has no whitespace between tokens: answer that case first.
    const first = t.charCodeAt(p)
    if (first > 32) return first
    for (;;) {
      const c = t.charCodeAt(p)
      if (c === 32 || c === 10 || c === 13 || c === 9) p++
      else {
        this.pos = p
        return p < t.length ? c : -1
      }
    }
  }

  /** Consumes `ch` (after whitespace) or fails. */
  expect(ch: number, what: string): void {
    if (this.peek() !== ch) this.fail(this.pos, `expected ${what}`)
    this.pos++
  }

  /** After an element: true when a `,` followed (consumed), false at `close` (consumed). */
  next(close: number, what: string): boolean {
    const c = this.peek()
    this.pos++
    if (c === 44) return true
    if (c === close) return false
    return this.fail(this.pos - 1, `expected "," or ${what}`)
  }

  readString(): string {
    const t = this.text
    const start = this.pos
    if (t.charCodeAt(start) !== 34) this.fail(start, 'expected a string')
    let p = start + 1
    const end = t.length
    // Bounded by the length, so the per-character test needs no NaN check for "past the end".
    for (; p < end; p++) {
      const c = t.charCodeAt(p)
      if (c === 34) {
        this.pos = p + 1
        return t.slice(start + 1, p)
      }
      if (c === 92) break
      if (c < 32) this.fail(p, 'a control character must be escaped in a string')
    }
    if (p === end) this.fail(p, 'the string is not closed')
    // Escapes present: build the string piecewise.
    let out = t.slice(start + 1, p)
    for (;;) {
      const c = t.charCodeAt(p)
      if (c === 34) {
        this.pos = p + 1
        return out
      }
      if (Number.isNaN(c)) this.fail(p, 'the string is not closed')
      if (c < 32) this.fail(p, 'a control character must be escaped in a string')
      if (c !== 92) {
        out += t[p]
        p++
        continue
      }
      const e = t.charCodeAt(p + 1)
      p += 2
      switch (e) {
        case 34: out += '"'; break
        case 92: out += '\\'; break
        case 47: out += '/'; break
        case 98: out += '\b'; break
        case 102: out += '\f'; break
        case 110: out += '\n'; break
        case 114: out += '\r'; break
        case 116: out += '\t'; break
        case 117: {
          const hex = t.slice(p, p + 4)
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail(p - 2, 'a \\u escape needs four hex digits')
          out += String.fromCharCode(parseInt(hex, 16))
          p += 4
          break
        }
        default:
          this.fail(p - 2, 'unknown escape in a string')
      }
    }
  }

  /**
   * A JSON number. Integers beyond the safe range come back as bigint (no precision lost);
   * sets `wasFloat` when the lexeme had a fraction or exponent.
   */
  readNumber(): number | bigint {
    const t = this.text
    const start = this.pos
    let p = start
    let c = t.charCodeAt(p)
    const negative = c === 45
    if (negative) c = t.charCodeAt(++p)
    // The digits as one integer and how many there were: exact while at most 15 (< 2^53).
    let m = 0
    let digits = 0
    if (c === 48) c = t.charCodeAt(++p)
    else if (c >= 49 && c <= 57) {
      do {
        m = m * 10 + (c - 48)
        digits++
        c = t.charCodeAt(++p)
      } while (c >= 48 && c <= 57)
    } else this.fail(start, 'expected a number')
    let float = false
    let scale = 0
    if (c === 46) {
      float = true
      c = t.charCodeAt(++p)
      if (!(c >= 48 && c <= 57)) this.fail(p, 'a digit must follow the decimal point')
      do {
        m = m * 10 + (c - 48)
        digits++
        scale++
        c = t.charCodeAt(++p)
      } while (c >= 48 && c <= 57)
    }
    let exponent = false
    if (c === 101 || c === 69) {
      float = true
      exponent = true
      c = t.charCodeAt(++p)
      if (c === 43 || c === 45) c = t.charCodeAt(++p)
      if (!(c >= 48 && c <= 57)) this.fail(p, 'a digit must follow the exponent')
      do c = t.charCodeAt(++p)
      while (c >= 48 && c <= 57)
    }
    this.pos = p
    this.wasFloat = float
    if (!exponent && digits <= 15) {
      // m and 10^scale (scale ≤ 15) are exact doubles, so one division rounds correctly: the same
      // double Number(lexeme) gives, without cutting the lexeme out of the text.
      const v = scale === 0 ? m : m / (POW10[scale] as number)
      return negative ? -v : v
    }
    const lexeme = t.slice(start, p)
    const n = Number(lexeme)
    if (!float && !Number.isSafeInteger(n)) return BigInt(lexeme)
    return n
  }

  /** true, false or null: returns the code of the first letter after consuming the literal. */
  readLiteral(): number {
    const t = this.text
    const p = this.pos
    const c = t.charCodeAt(p)
    const word = c === 116 ? 'true' : c === 102 ? 'false' : c === 110 ? 'null' : ''
    if (word === '' || !t.startsWith(word, p)) this.fail(p, 'expected a value')
    this.pos = p + word.length
    return c
  }

  /** Skips one value of any kind, checking its syntax. */
  skipValue(depth = 0): void {
    if (depth > this.maxDepth) this.fail(
      this.pos,
      `values nest deeper than ${this.maxDepth} levels`,
      'json.depth-limit'
    )
    const c = this.peek()
    if (c === 34) this.readString()
    else if (c === 123) {
      this.pos++
      if (this.peek() === 125) {
        this.pos++
        return
      }
      do {
        this.peek()
        this.readString()
        this.expect(58, '":"')
        this.skipValue(depth + 1)
      } while (this.next(125, '"}"'))
    } else if (c === 91) {
      this.pos++
      if (this.peek() === 93) {
        this.pos++
        return
      }
      do this.skipValue(depth + 1)
      while (this.next(93, '"]"'))
    } else if (c === 45 || (c >= 48 && c <= 57)) this.readNumber()
    else this.readLiteral()
  }

  /** Reports non-whitespace after the top-level value. */
  finish(): void {
    if (this.peek() !== -1) this.violations.add(
      this.pos,
      'json.trailing',
      SECTION,
      'text follows the JSON value'
    )
  }
}

// ---------------------------------------------------------------------------------------------
// A whole-text tree, for decoders that look at a value before deciding what it means

export type JsonNode =
  | { readonly kind: 'object'; readonly offset: number; readonly entries: readonly JsonEntry[] }
  | { readonly kind: 'array'; readonly offset: number; readonly items: readonly JsonNode[] }
  | { readonly kind: 'string'; readonly offset: number; readonly value: string }
  /** The exact lexeme, so 64-bit integers and decimals keep every digit. */
  | { readonly kind: 'number'; readonly offset: number; readonly text: string }
  | { readonly kind: 'boolean'; readonly offset: number; readonly value: boolean }
  | { readonly kind: 'null'; readonly offset: number }

/** One key of an object; every key is kept, in order, duplicates included. */
export interface JsonEntry {
  readonly key: string
  readonly keyOffset: number
  readonly value: JsonNode
}

export type JsonParse =
  | { readonly ok: true; readonly value: JsonNode }
  | { readonly ok: false; readonly offset: number; readonly reason: string }

/**
 * Parses one JSON text into a tree; the first syntax error, text after the value, or an object or
 * array nested `maxDepth` deep (a refusal, not a stack overflow) gives ok: false.
 */
export function parseJson(text: string, maxDepth = 64): JsonParse {
  const j = new JsonReader(text, new ViolationList(), maxDepth)
  const value = (depth: number): JsonNode => {
    const c = j.peek()
    const offset = j.pos
    if (c === 123 || c === 91) {
      if (depth >= maxDepth) j.fail(offset, `values nest deeper than ${maxDepth} levels`, 'json.depth-limit')
      j.pos++
      const empty = j.peek() === (c === 123 ? 125 : 93)
      if (empty) j.pos++
      if (c === 91) {
        const items: JsonNode[] = []
        if (!empty) do items.push(value(depth + 1))
        while (j.next(93, '"]"'))
        return { kind: 'array', offset, items }
      }
      const entries: JsonEntry[] = []
      if (!empty) {
        do {
          j.peek()
          const keyOffset = j.pos
          const key = j.readString()
          j.expect(58, '":"')
          entries.push({ key, keyOffset, value: value(depth + 1) })
        } while (j.next(125, '"}"'))
      }
      return { kind: 'object', offset, entries }
    }
    if (c === 34) return { kind: 'string', offset, value: j.readString() }
    if (c === 45 || (c >= 48 && c <= 57)) {
      j.readNumber()
      return { kind: 'number', offset, text: text.slice(offset, j.pos) }
    }
    const literal = j.readLiteral()
    return literal === 110 ? { kind: 'null', offset } : { kind: 'boolean', offset, value: literal === 116 }
  }
  try {
    const v = value(0)
    if (j.peek() !== -1) j.fail(j.pos, 'text follows the JSON value', 'json.trailing')
    return { ok: true, value: v }
  } catch (e) {
    if (!(e instanceof JsonError)) throw e
    return { ok: false, offset: e.offset, reason: j.violations.items[0]?.message ?? 'syntax error' }
  }
}
