// SPDX-License-Identifier: Apache-2.0
// Execute arguments, the text/plain payload of an Execute (C §6.3.5 / T; facts §3.3):
//   arglist = argument *("," argument)
//   argument = DIGIT ["=" "'" *CHAR "'"]
//   CHAR = "!" / %x23-26 / %x28-5B / %x5D-7E   (printable ASCII without space, " ' \)
// Each digit at most once (1.2.1). Parsing is total: deviations are violations with offsets,
// and what a lenient peer means is still returned (e.g. `0=U`, the /1/x/8 query form, facts §7).
import { EncodeError } from './codec'
import { ViolationList, type Violation } from '../violation'

export interface ExecuteArgument {
  /** 0..9 */
  readonly digit: number
  /** Absent for a bare digit; may be '' (`0=''`). */
  readonly value?: string
}

export interface ExecuteArgsParse {
  readonly args: ExecuteArgument[]
  readonly violations: Violation[]
}

const SECTION = 'LwM2M 1.2 Core §6.3.5'
const CHAR = /^[!#-&(-[\]-~]$/

export function parseExecuteArgs(text: string): ExecuteArgsParse {
  const v = new ViolationList()
  const flag = (at: number, rule: string, message: string): void =>
    v.add(at, 'execute-args.' + rule, SECTION, message)
  const args: ExecuteArgument[] = []
  const seen = new Set<number>()
  const n = text.length
  let i = 0
  const skipWs = (): void => {
    const s = i
    while (i < n && /[ \t\r\n]/.test(text[i] as string)) i++
    if (i > s) flag(s, 'whitespace', 'whitespace is not allowed between arguments')
  }
  const skipToComma = (): void => {
    let quoted = false
    while (i < n && (quoted || text[i] !== ',')) {
      if (text[i] === "'") quoted = !quoted
      i++
    }
  }

  skipWs()
  while (i < n) {
    const start = i
    if (!/[0-9]/.test(text[i] as string)) {
      flag(i, 'expected-digit', `an argument starts with a digit 0-9, not '${text[i]}'`)
      skipToComma()
    } else if (/[0-9]/.test(text[i + 1] ?? '')) {
      while (i < n && /[0-9]/.test(text[i] as string)) i++
      flag(start, 'multi-digit', `'${text.slice(start, i)}' is not one digit 0-9; argument dropped`)
      skipToComma()
    } else {
      const digit = Number(text[i])
      i++
      let value: string | undefined
      if (text[i] === '=') {
        i++
        value = readValue()
      }
      if (seen.has(digit)) flag(start, 'duplicate', `argument ${digit} appears more than once`)
      seen.add(digit)
      args.push(value === undefined ? { digit } : { digit, value })
      skipWs()
      if (i < n && text[i] !== ',') {
        flag(i, 'unexpected-char', `unexpected '${text[i]}' after argument ${digit}`)
        skipToComma()
      }
    }
    if (i < n) {
      const comma = i++
      skipWs()
      if (i >= n) flag(comma, 'trailing-comma', 'the argument list ends with a comma')
    }
  }
  // Reading order, whatever order the checks ran in.
  return { args, violations: [...v.items].sort((a, b) => a.offset - b.offset) }

  function readValue(): string {
    if (text[i] !== "'") {
      // `0=U`: not the ABNF, but what T §6.6.1 prints; take the text up to the next comma.
      const s = i
      while (i < n && text[i] !== ',') i++
      flag(s, 'unquoted-value', "a value is written in single quotes: 0='U'")
      return text.slice(s, i)
    }
    const open = i
    i++
    const s = i
    while (i < n && text[i] !== "'") {
      if (!CHAR.test(text[i] as string)) {
        const c = JSON.stringify(text[i])
        flag(i, 'char', `${c} is not allowed in a value (printable ASCII without space, " ' \\)`)
      }
      i++
    }
    const value = text.slice(s, i)
    if (i >= n) flag(open, 'unterminated-value', 'a value has no closing single quote')
    else i++
    return value
  }
}

/** Writes "0,1='x'" in the given order; throws EncodeError for what the ABNF cannot carry. */
export function formatExecuteArgs(args: readonly ExecuteArgument[]): string {
  const seen = new Set<number>()
  return args
    .map((a) => {
      if (!Number.isInteger(a.digit) || a.digit < 0 || a.digit > 9) {
        throw new EncodeError('execute-args.digit', `an argument is one digit 0-9, not ${a.digit}`)
      }
      if (seen.has(a.digit)) {
        throw new EncodeError('execute-args.duplicate', `argument ${a.digit} appears more than once`)
      }
      seen.add(a.digit)
      if (a.value === undefined) return String(a.digit)
      for (const c of a.value) {
        if (!CHAR.test(c)) {
          const what = JSON.stringify(c)
          throw new EncodeError('execute-args.char', `${what} cannot appear in an Execute argument value`)
        }
      }
      return `${a.digit}='${a.value}'`
    })
    .join(',')
}
