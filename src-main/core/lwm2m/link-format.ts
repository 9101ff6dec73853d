// SPDX-License-Identifier: Apache-2.0
// CoRE Link Format (RFC 6690 §2, CF 40) with the LwM2M attributes (facts §2.8): Register and
// Update payloads, Discover and Bootstrap-Discover replies, `acc` and Corelnk resource values.
// Parsing is strict but total: every deviation is a violation with its character offset, and
// whatever could still be understood is returned. Formatting is deterministic.
import { EncodeError } from './codec'
import { formatDecimal, parseDecimal } from './decimal'
import { parsePath, type Path } from './path'
import { ViolationList, type Violation } from '../violation'

export type LinkAttributeValue = string | number | true | number[]

export interface Link {
  /** The URI-reference between < and >, as written (e.g. "/3/0", "/", "/lwm2m"). */
  readonly target: string
  /** The LwM2M path when the target is one ("/" is the root, []). */
  readonly path?: Path
  /** In document order; a valueless attribute is `true`. */
  readonly attributes: Readonly<Record<string, LinkAttributeValue>>
}

export interface LinkParse {
  readonly links: Link[]
  readonly violations: Violation[]
}

export interface LinkInput {
  /** Written as is; when absent, `path` is written instead. */
  readonly target?: string
  readonly path?: Path
  readonly attributes?: Readonly<Record<string, LinkAttributeValue>>
}

export interface LinkFormatOptions {
  /** LwM2M 1.0 writes ver="1.1" and lwm2m="1.0" quoted (facts §2.8); 1.1+ unquoted. */
  readonly quoteVersions?: boolean
}

const RFC6690 = 'RFC 6690 §2'
const NOTIFY = 'LwM2M 1.2 Core §7.3 (§5.1 in 1.2.0)'
const BS_DISCOVER = 'LwM2M 1.2 Core §6.1 (Bootstrap-Discover)'

type Kind =
  | { readonly kind: 'integer'; readonly min: number; readonly max: number; readonly section: string }
  | { readonly kind: 'decimal'; readonly min: number; readonly section: string }
  | { readonly kind: 'version'; readonly section: string }
  | { readonly kind: 'ct' }
  | { readonly kind: 'quoted'; readonly section: string }

const ANY = Number.MAX_SAFE_INTEGER
/** The attributes LwM2M gives a type; anything else is kept as its text. */
const KINDS: Readonly<Record<string, Kind>> = {
  ver: { kind: 'version', section: 'LwM2M 1.2 Core §7.2.2' },
  lwm2m: { kind: 'version', section: BS_DISCOVER },
  dim: { kind: 'integer', min: 0, max: 65535, section: 'LwM2M 1.2 Core §6.3.2 (Discover)' },
  ssid: { kind: 'integer', min: 1, max: 65534, section: BS_DISCOVER },
  uri: { kind: 'quoted', section: BS_DISCOVER },
  ct: { kind: 'ct' },
  rt: { kind: 'quoted', section: 'RFC 6690 §3.1' },
  if: { kind: 'quoted', section: 'RFC 6690 §3.2' },
  pmin: { kind: 'integer', min: 0, max: ANY, section: NOTIFY },
  pmax: { kind: 'integer', min: 0, max: ANY, section: NOTIFY },
  epmin: { kind: 'integer', min: 0, max: ANY, section: NOTIFY },
  epmax: { kind: 'integer', min: 0, max: ANY, section: NOTIFY },
  hqmax: { kind: 'integer', min: 0, max: ANY, section: NOTIFY },
  edge: { kind: 'integer', min: 0, max: 1, section: NOTIFY },
  con: { kind: 'integer', min: 0, max: 1, section: NOTIFY },
  gt: { kind: 'decimal', min: -Infinity, section: NOTIFY },
  lt: { kind: 'decimal', min: -Infinity, section: NOTIFY },
  st: { kind: 'decimal', min: 0, section: NOTIFY }
}

const VERSION = /^[0-9]+\.[0-9]+$/
const WS = /[ \t\r\n]/
const PARMNAME = /[A-Za-z0-9!#$&+\-.^_`|~]/
const PTOKEN = /[!#$%&'()*+\-./0-9:<=>?@A-Z[\]^_`a-z{|}~]/
// RFC 3986 URI-reference characters (unreserved, reserved, "%").
const URI_CHAR = /[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/
const CONTROL = /[\u0000-\u001f\u007f]/

function setAttribute(
  attrs: Record<string, LinkAttributeValue>,
  name: string,
  value: LinkAttributeValue
): void {
  // defineProperty: a parameter named "__proto__" must stay data, not touch the prototype.
  Object.defineProperty(attrs, name, { value, enumerable: true, writable: true, configurable: true })
}

type Raw = { readonly quoted: boolean; readonly text: string } | null

/** Parses an application/link-format document. Never throws. */
export function parseLinkFormat(text: string): LinkParse {
  const v = new ViolationList()
  const flag = (at: number, rule: string, message: string): void =>
    v.add(at, 'link-format.' + rule, RFC6690, message)
  const links: Link[] = []
  const n = text.length
  let i = 0

  const skipWs = (): void => {
    const s = i
    while (i < n && WS.test(text[i] as string)) i++
    if (i > s) flag(s, 'whitespace', 'whitespace is not allowed between links or parameters')
  }
  /** Recovery: the next comma that is not inside a quoted string. */
  const skipToComma = (): void => {
    let quoted = false
    while (i < n) {
      const c = text[i] as string
      if (quoted && c === '\\') i++
      else if (c === '"') quoted = !quoted
      else if (c === ',' && !quoted) return
      i++
    }
  }

  skipWs()
  // LwM2M 1.0 Bootstrap-Discover began with a bare `lwm2m="1.0",` (no target); it MAY be
  // accepted (facts §3.1, VER-04), so it is read as the root link and flagged.
  const legacy = /^lwm2m=("?)([0-9]+\.[0-9]+)\1(?=,|$)/.exec(text.slice(i))
  if (legacy) {
    const hint = "LwM2M 1.0 'lwm2m=' without a link target, read as </>"
    v.add(i, 'link-format.legacy-lwm2m', BS_DISCOVER, hint)
    links.push({ target: '/', path: [], attributes: { lwm2m: legacy[2] as string } })
    i += legacy[0].length
    if (text[i] === ',') i++
    skipWs()
  }
  while (i < n) {
    if (text[i] !== '<') {
      flag(i, 'expected-link', `expected '<' to open a link, found '${text[i]}'`)
      skipToComma()
      if (i < n) {
        i++
        skipWs()
      }
      continue
    }
    const open = i
    const close = text.indexOf('>', i + 1)
    if (close < 0) {
      flag(open, 'unterminated-target', "a link target has no closing '>'")
      break
    }
    const target = text.slice(open + 1, close)
    checkTarget(target, open + 1, v)
    i = close + 1
    const attributes: Record<string, LinkAttributeValue> = {}
    for (;;) {
      skipWs()
      if (text[i] !== ';') break
      i++
      skipWs()
      const nameAt = i
      while (i < n && PARMNAME.test(text[i] as string)) i++
      const name = text.slice(nameAt, i)
      if (name === '') {
        flag(nameAt, 'bad-param-name', "a ';' must be followed by a parameter name")
        while (i < n && text[i] !== ';' && text[i] !== ',') i++
        continue
      }
      let raw: Raw = null
      let valueAt = i
      if (text[i] === '=') {
        i++
        valueAt = i
        if (text[i] === '"') raw = readQuoted()
        else {
          while (i < n && PTOKEN.test(text[i] as string)) i++
          raw = { quoted: false, text: text.slice(valueAt, i) }
          if (raw.text === '') flag(valueAt, 'empty-value', `'${name}=' has no value; quote an empty one ("")`)
        }
      }
      if (Object.hasOwn(attributes, name)) {
        flag(nameAt, 'duplicate-attribute', `'${name}' appears twice on one link; the first is kept`)
        continue
      }
      setAttribute(attributes, name, typed(name, raw, valueAt, v))
    }
    const parsed = target.startsWith('/') ? parsePath(target) : null
    if (parsed?.ok) {
      if (target.length > 1 && target.endsWith('/')) {
        v.add(open + 1, 'link-format.trailing-slash', 'LwM2M 1.2 Core §7.2 (facts §7)', `'${target}' ends in '/'`)
      }
      links.push({ target, attributes, path: parsed.path })
    } else links.push({ target, attributes })

    skipWs()
    if (i >= n) break
    if (text[i] === ',') {
      const comma = i++
      skipWs()
      if (i >= n) flag(comma, 'trailing-comma', 'the document ends with a comma')
      continue
    }
    if (text[i] === '<') {
      flag(i, 'missing-comma', "links must be separated by ','")
      continue
    }
    flag(i, 'unexpected-char', `unexpected '${text[i]}' after a link`)
    skipToComma()
    if (i < n) {
      i++
      skipWs()
    }
  }
  // Reading order, whatever order the checks ran in.
  return { links, violations: [...v.items].sort((a, b) => a.offset - b.offset) }

  function readQuoted(): Raw {
    const start = i
    i++
    let s = ''
    while (i < n && text[i] !== '"') {
      const c = text[i] as string
      if (c === '\\' && i + 1 < n) {
        s += text[i + 1]
        i += 2
        continue
      }
      if (CONTROL.test(c)) flag(i, 'control-char', 'a quoted string holds a control character')
      s += c
      i++
    }
    if (i >= n) flag(start, 'unterminated-quote', 'a quoted string has no closing \'"\'')
    else i++
    return { quoted: true, text: s }
  }
}

function checkTarget(target: string, at: number, v: ViolationList): void {
  for (let k = 0; k < target.length; k++) {
    if (!URI_CHAR.test(target[k] as string)) {
      const hint = `'${target[k]}' cannot appear in a URI-reference`
      v.add(at + k, 'link-format.target-char', 'RFC 3986 §4.1', hint)
      return
    }
  }
}

function typed(name: string, raw: Raw, at: number, v: ViolationList): LinkAttributeValue {
  const kind = Object.hasOwn(KINDS, name) ? (KINDS[name] as Kind) : undefined
  if (!kind) return raw === null ? true : raw.text
  const section = kind.kind === 'ct' ? 'RFC 7252 §7.2.1' : kind.section
  const flag = (rule: string, message: string): void => v.add(at, 'link-format.' + rule, section, message)
  const unquoted = `'${name}' is a number and is written unquoted`
  if (raw === null) {
    flag('missing-value', `'${name}' needs a value`)
    return true
  }
  const t = raw.text
  switch (kind.kind) {
    case 'integer': {
      if (raw.quoted) flag('quoted-number', unquoted)
      if (!/^[0-9]+$/.test(t)) {
        flag('not-integer', `'${name}=${t}' is not a non-negative integer`)
        return t
      }
      const x = Number(t)
      if (x < kind.min || x > kind.max) {
        flag('out-of-range', `'${name}=${t}' is outside ${kind.min}..${kind.max === ANY ? 'max' : kind.max}`)
      }
      return x
    }
    case 'decimal': {
      if (raw.quoted) flag('quoted-number', unquoted)
      const x = parseDecimal(t)
      if (x === null) {
        flag('not-decimal', `'${name}=${t}' is not a decimal number`)
        return t
      }
      if (x < kind.min) flag('out-of-range', `'${name}' must not be negative`)
      return x
    }
    case 'version':
      // Quoted in LwM2M 1.0, unquoted in 1.1+: both are accepted without remark.
      if (!VERSION.test(t)) flag('not-version', `'${name}=${t}' is not a version like 1.2`)
      return t
    case 'ct': {
      if (!raw.quoted) {
        if (/^[0-9]+$/.test(t) && Number(t) <= 65535) return Number(t)
        flag('bad-ct', `'ct=${t}' is not a content-format number 0..65535`)
        return t
      }
      const parts = t.split(' ')
      if (!parts.every((p) => /^[0-9]+$/.test(p) && Number(p) <= 65535)) {
        flag('bad-ct', `'ct="${t}"' is not content-format numbers separated by single spaces`)
        return t
      }
      return parts.map(Number)
    }
    case 'quoted':
      if (!raw.quoted) flag('unquoted', `'${name}' takes a quoted string`)
      return t
  }
}

/**
 * Writes links deterministically: attributes in the given order, numbers unquoted, number lists
 * (ct) quoted and space-separated, versions unquoted unless `quoteVersions`, other strings quoted.
 * Throws EncodeError for what cannot be written (a '>' in a target, a bad parameter name).
 */
export function formatLinkFormat(links: readonly LinkInput[], options: LinkFormatOptions = {}): string {
  return links.map((l) => formatLink(l, options)).join(',')
}

function formatLink(link: LinkInput, options: LinkFormatOptions): string {
  const target = link.target ?? (link.path ? '/' + link.path.join('/') : undefined)
  if (target === undefined) {
    throw new EncodeError('link-format.no-target', 'a link needs a target or a path')
  }
  for (const c of target) {
    if (!URI_CHAR.test(c)) {
      throw new EncodeError('link-format.target-char', `'${c}' cannot appear in a link target`, target)
    }
  }
  let out = `<${target}>`
  for (const [name, value] of Object.entries(link.attributes ?? {})) {
    if (name === '' || ![...name].every((c) => PARMNAME.test(c))) {
      throw new EncodeError('link-format.bad-param-name', `'${name}' is not a link parameter name`, target)
    }
    out += ';' + name + formatValue(name, value, options, target)
  }
  return out
}

function formatValue(
  name: string,
  value: LinkAttributeValue,
  options: LinkFormatOptions,
  target: string
): string {
  if (value === true) return ''
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new EncodeError('link-format.not-finite', `'${name}' is ${value}`, target)
    }
    return '=' + formatDecimal(value)
  }
  if (Array.isArray(value)) {
    if (value.length === 0 || !value.every((x) => Number.isInteger(x) && x >= 0)) {
      const hint = `'${name}' must be a non-empty list of non-negative integers`
      throw new EncodeError('link-format.bad-list', hint, target)
    }
    return `="${value.join(' ')}"`
  }
  const version = Object.hasOwn(KINDS, name) && KINDS[name]?.kind === 'version'
  if (version && !options.quoteVersions && VERSION.test(value)) return '=' + value
  if (CONTROL.test(value)) {
    throw new EncodeError('link-format.control-char', `'${name}' holds a control character`, target)
  }
  return '="' + value.replace(/["\\]/g, (c) => '\\' + c) + '"'
}
