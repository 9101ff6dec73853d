// SPDX-License-Identifier: Apache-2.0
// The CoAP option registry (RFC 7252 §5.10, §12.2 and the RFCs that added options; coap-facts
// §2) and the small readers/builders the layers above use instead of touching option bytes.
import { utf8Bytes, utf8Text } from '../bytes'
import { Option, type CoapMessage, type CoapOption, type OptionNumber } from './message'

/** RFC 7252 §3.2 value formats; OSCORE's structured value is treated as opaque here. */
export type OptionFormat = 'empty' | 'opaque' | 'uint' | 'string'

export interface OptionDef {
  readonly number: OptionNumber
  readonly name: string
  /** RFC 7252 §5.4.1: odd numbers. */
  readonly critical: boolean
  /** RFC 7252 §5.4.2: bit 1 set. */
  readonly unsafe: boolean
  /** RFC 7252 §5.4.6: only meaningful for safe-to-forward options. */
  readonly noCacheKey: boolean
  readonly repeatable: boolean
  readonly format: OptionFormat
  /** Value length range in bytes (RFC 7252 §5.4.3: outside it the option is unrecognised). */
  readonly minLength: number
  readonly maxLength: number
  /**
   * Value assumed when absent (RFC 7252 §5.4.4); null when there is none or when it depends on
   * the endpoint (Uri-Host, Uri-Port default to the destination address and port).
   */
  readonly default: number | null
}

/** RFC 7252 §5.4.6: the properties follow from the number alone. */
export function isCritical(n: OptionNumber): boolean {
  return (n & 1) !== 0
}
export function isUnsafe(n: OptionNumber): boolean {
  return (n & 2) !== 0
}
export function isNoCacheKey(n: OptionNumber): boolean {
  return !isUnsafe(n) && (n & 0x1e) === 0x1c
}

function def(
  number: number,
  name: string,
  repeatable: boolean,
  format: OptionFormat,
  minLength: number,
  maxLength: number,
  dflt: number | null = null
): OptionDef {
  return {
    number,
    name,
    critical: isCritical(number),
    unsafe: isUnsafe(number),
    noCacheKey: isNoCacheKey(number),
    repeatable,
    format,
    minLength,
    maxLength,
    default: dflt
  }
}

/** coap-facts §2; lengths and defaults from the defining RFCs. */
export const OPTION_DEFS: readonly OptionDef[] = [
  def(1, 'If-Match', true, 'opaque', 0, 8),
  def(3, 'Uri-Host', false, 'string', 1, 255),
  def(4, 'ETag', true, 'opaque', 1, 8),
  def(5, 'If-None-Match', false, 'empty', 0, 0),
  def(6, 'Observe', false, 'uint', 0, 3),
  def(7, 'Uri-Port', false, 'uint', 0, 2),
  def(8, 'Location-Path', true, 'string', 0, 255),
  def(9, 'OSCORE', false, 'opaque', 0, 255),
  def(11, 'Uri-Path', true, 'string', 0, 255),
  def(12, 'Content-Format', false, 'uint', 0, 2),
  def(14, 'Max-Age', false, 'uint', 0, 4, 60),
  def(15, 'Uri-Query', true, 'string', 0, 255),
  def(16, 'Hop-Limit', false, 'uint', 1, 1, 16),
  def(17, 'Accept', false, 'uint', 0, 2),
  def(19, 'Q-Block1', false, 'uint', 0, 3),
  def(20, 'Location-Query', true, 'string', 0, 255),
  def(21, 'EDHOC', false, 'empty', 0, 0),
  def(23, 'Block2', false, 'uint', 0, 3),
  def(27, 'Block1', false, 'uint', 0, 3),
  def(28, 'Size2', false, 'uint', 0, 4),
  def(31, 'Q-Block2', true, 'uint', 0, 3),
  def(35, 'Proxy-Uri', false, 'string', 1, 1034),
  def(39, 'Proxy-Scheme', false, 'string', 1, 255),
  def(60, 'Size1', false, 'uint', 0, 4),
  def(252, 'Echo', false, 'opaque', 1, 40),
  def(258, 'No-Response', false, 'uint', 0, 1, 0),
  def(292, 'Request-Tag', true, 'opaque', 0, 8)
]

const BY_NUMBER: ReadonlyMap<number, OptionDef> = new Map(OPTION_DEFS.map((d) => [d.number, d]))

/** The registry entry for `n`, or undefined for an option this registry does not know. */
export function optionDef(n: OptionNumber): OptionDef | undefined {
  return BY_NUMBER.get(n)
}

/** "Content-Format", or "Option 65000" for a number the registry does not know. */
export function optionName(n: OptionNumber): string {
  return BY_NUMBER.get(n)?.name ?? `Option ${n}`
}

// ---------------------------------------------------------------------------------------------
// Values

/**
 * RFC 7252 §3.2 uint: big-endian, any length; leading zero bytes MUST be accepted. Null when the
 * value does not fit a JavaScript safe integer (no registered uint option comes near that).
 */
export function decodeUint(value: Uint8Array): number | null {
  let n = 0
  for (let i = 0; i < value.length; i++) {
    n = n * 256 + (value[i] as number)
    if (n > Number.MAX_SAFE_INTEGER) return null
  }
  return n
}

/** Minimal uint encoding (RFC 7252 §3.2): no leading zeros, so 0 is the empty value. */
export function encodeUint(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`CoAP uint option value must be a non-negative safe integer, got ${n}`)
  }
  let len = 0
  for (let v = n; v > 0; v = Math.floor(v / 256)) len++
  const out = new Uint8Array(len)
  for (let i = len - 1, v = n; i >= 0; i--, v = Math.floor(v / 256)) out[i] = v % 256
  return out
}

// Option strings are compared as bytes (RFC 7252 §3.2); decoding is for people and routing, so a
// stray invalid byte becomes U+FFFD instead of hiding the whole value.
export function decodeString(value: Uint8Array): string {
  return utf8Text(value)
}

// ---------------------------------------------------------------------------------------------
// Readers

/** Anything carrying options: a message, a request or response being built, a handler's answer. */
export type HasOptions = Pick<CoapMessage, 'options'>

/** The first occurrence of option `n`, or null. */
export function getOption(m: HasOptions, n: OptionNumber): CoapOption | null {
  for (const o of m.options) if (o.number === n) return o
  return null
}

/** Every occurrence of option `n`, in wire order. */
export function getOptions(m: HasOptions, n: OptionNumber): CoapOption[] {
  return m.options.filter((o) => o.number === n)
}

/** The first option `n` read as a uint, or null when absent (or beyond a safe integer). */
export function uintOption(m: HasOptions, n: OptionNumber): number | null {
  const o = getOption(m, n)
  return o === null ? null : decodeUint(o.value)
}

export function hasOption(m: HasOptions, n: OptionNumber): boolean {
  return m.options.some((o) => o.number === n)
}

/** The first option `n` read as UTF-8, or null when absent. */
export function stringOption(m: CoapMessage, n: OptionNumber): string | null {
  const o = getOption(m, n)
  return o === null ? null : decodeString(o.value)
}

function strings(m: CoapMessage, n: OptionNumber): string[] {
  const out: string[] = []
  for (const o of m.options) if (o.number === n) out.push(decodeString(o.value))
  return out
}

/** Uri-Path segments (RFC 7252 §5.10.1); [] for the root. */
export function uriPath(m: CoapMessage): string[] {
  return strings(m, Option.URI_PATH)
}

/** Uri-Query arguments, each "key=value" or "key" (RFC 7252 §5.10.1). */
export function uriQuery(m: CoapMessage): string[] {
  return strings(m, Option.URI_QUERY)
}

/** Location-Path segments (RFC 7252 §5.10.7), e.g. the ["rd", "5a3f"] of a Register reply. */
export function locationPath(m: CoapMessage): string[] {
  return strings(m, Option.LOCATION_PATH)
}

/** Location-Query arguments (RFC 7252 §5.10.7). */
export function locationQuery(m: CoapMessage): string[] {
  return strings(m, Option.LOCATION_QUERY)
}

/** Content-Format (RFC 7252 §5.10.3), null when absent. */
export function contentFormat(m: CoapMessage): number | null {
  return uintOption(m, Option.CONTENT_FORMAT)
}

/** Accept (RFC 7252 §5.10.4), null when absent. */
export function accept(m: CoapMessage): number | null {
  return uintOption(m, Option.ACCEPT)
}

/** Observe (RFC 7641 §2): 0 register / 1 deregister in requests, a sequence in notifications. */
export function observe(m: CoapMessage): number | null {
  return uintOption(m, Option.OBSERVE)
}

// ---------------------------------------------------------------------------------------------
// Builders

function stringOptions(n: OptionNumber, values: readonly string[]): CoapOption[] {
  return values.map((s) => {
    const value = utf8Bytes(s)
    // RFC 7252 §5.10.1/§5.10.7: 0-255 bytes per segment or argument.
    if (value.length > 255) {
      throw new RangeError(`${optionName(n)} value is ${value.length} bytes; RFC 7252 allows 0-255`)
    }
    return { number: n, value }
  })
}

/** Uri-Path options for path segments, e.g. ["rd", "5a3f"]; segments are not percent-decoded. */
export function pathOptions(segments: readonly string[]): CoapOption[] {
  return stringOptions(Option.URI_PATH, segments)
}

/** Uri-Query options, one per argument, e.g. ["ep=dev1", "lt=300"]. */
export function queryOptions(q: readonly string[]): CoapOption[] {
  return stringOptions(Option.URI_QUERY, q)
}

/** An option holding a minimal uint (e.g. Content-Format, Observe). */
export function uintOptionOf(n: OptionNumber, value: number): CoapOption {
  return { number: n, value: encodeUint(value) }
}

/** Options without any of `numbers`. */
export function withoutOptions(
  options: readonly CoapOption[],
  ...numbers: OptionNumber[]
): CoapOption[] {
  return options.filter((o) => !numbers.includes(o.number))
}

/** Replaces every `number` option by one with `value`, keeping wire order (ascending, stable). */
export function withOption(
  options: readonly CoapOption[],
  number: OptionNumber,
  value: Uint8Array
): CoapOption[] {
  const rest = withoutOptions(options, number)
  const at = rest.findIndex((o) => o.number > number)
  const option = { number, value }
  return at < 0 ? [...rest, option] : [...rest.slice(0, at), option, ...rest.slice(at)]
}

/** withOption with a minimal uint value (e.g. Size1, Observe). */
export function withUintOption(
  options: readonly CoapOption[],
  number: OptionNumber,
  n: number
): CoapOption[] {
  return withOption(options, number, encodeUint(n))
}

// ---------------------------------------------------------------------------------------------
// RFC 7252 §5.4.1: which critical options make a message unprocessable

/**
 * Critical options the receiver must treat as unrecognised (RFC 7252 §5.4.1), in ascending order
 * without repeats: numbers outside `known` (default: the registry), and, for options the registry
 * describes, a length outside the defined range (§5.4.3) or a repeat of a non-repeatable option
 * (§5.4.5). Elective options are never listed: an unrecognised one is silently ignored. A CON
 * request with a non-empty result is answered 4.02 Bad Option; any other message is rejected.
 */
export function unrecognizedCriticalOptions(
  m: CoapMessage,
  known?: ReadonlySet<number>
): number[] {
  const out: number[] = []
  const seen = new Set<number>()
  for (const o of m.options) {
    const n = o.number
    const repeat = seen.has(n)
    seen.add(n)
    if (!isCritical(n) || out.includes(n)) continue
    const d = BY_NUMBER.get(n)
    const recognised = known ? known.has(n) : d !== undefined
    let bad = !recognised
    if (!bad && d !== undefined) {
      bad =
        o.value.length < d.minLength || o.value.length > d.maxLength || (repeat && !d.repeatable)
    }
    if (bad) out.push(n)
  }
  // Options built by hand may be out of wire order; the answer is stable either way.
  out.sort((a, b) => a - b)
  return out
}
