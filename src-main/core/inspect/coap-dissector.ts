// SPDX-License-Identifier: Apache-2.0
// CoAP over UDP as a field tree (RFC 7252 §3), over the strict codec of core/coap: header bits,
// token, every option by name with its value decoded (Block as NUM/M/size, Observe, formats by
// name), the payload. Option values are views into the datagram, so their byte ranges come from
// where the views sit.
import { toHex } from '../bytes'
import { parseBlock } from '../coap/block'
import { decodeMessage } from '../coap/codec'
import { codeName, describeOptionValue } from '../coap/describe'
import { Option, type CoapMessage } from '../coap/message'
import { decodeUint, optionName } from '../coap/options'
import { formatName } from '../lwm2m/content-format'
import type { Violation } from '../violation'
import { field, type Field } from './field'

export interface CoapDissection {
  /** Null when no RFC 7252 header could be read. */
  readonly message: CoapMessage | null
  readonly fields: Field[]
  readonly violations: readonly Violation[]
}

/** "11542 (tlv)" for a content format number. */
export function contentFormatLabel(cf: number): string {
  const name = formatName(cf)
  return name === null ? String(cf) : `${cf} (${name})`
}

function optionValue(number: number, value: Uint8Array): string {
  if (number === Option.CONTENT_FORMAT || number === Option.ACCEPT) {
    const n = decodeUint(value)
    return n === null ? `0x${toHex(value)}` : contentFormatLabel(n)
  }
  if (number === Option.BLOCK1 || number === Option.BLOCK2) {
    const b = parseBlock(value)
    return b === null ? `0x${toHex(value)}` : `NUM ${b.num}, M ${b.more ? 1 : 0}, size ${b.size}`
  }
  if (number === Option.OBSERVE) {
    const n = decodeUint(value)
    return n === null ? `0x${toHex(value)}` : String(n)
  }
  return describeOptionValue({ number, value })
}

/** Dissects one CoAP datagram starting at `base` in its buffer. Never throws. */
export function dissectCoap(datagram: Uint8Array): CoapDissection {
  const d = decodeMessage(datagram)
  const m = d.message
  const fields: Field[] = []
  if (m === null) {
    fields.push(field('CoAP (unreadable header)', 0, datagram.length, `${datagram.length} B`))
    return { message: null, fields: withViolations(fields, d.violations), violations: d.violations }
  }
  const header: Field[] = [
    field('Version', 0, 1, '1'),
    field('Type', 0, 1, m.type),
    field('Token length', 0, 1, String((datagram[0] as number) & 0x0f)),
    field('Code', 1, 2, `${codeName(m.code)}`),
    field('Message ID', 2, 4, `${m.messageId} (0x${m.messageId.toString(16).padStart(4, '0')})`)
  ]
  if (m.token.length > 0) header.push(field('Token', 4, 4 + m.token.length, toHex(m.token)))
  const opts: Field[] = []
  let p = 4 + m.token.length
  for (const o of m.options) {
    const valueAt = o.value.byteOffset - datagram.byteOffset
    const end = valueAt + o.value.length
    opts.push(field(optionName(o.number), p, end, optionValue(o.number, o.value), [
      field('Number', p, valueAt, String(o.number)),
      field('Value', valueAt, end, o.value.length === 0 ? '(empty)' : `0x${toHex(o.value.subarray(0, 64))}${o.value.length > 64 ? '…' : ''}`)
    ]))
    p = end
  }
  const total = m.payload.length > 0 ? m.payload.byteOffset - datagram.byteOffset + m.payload.length : p
  const kids = [...header]
  if (opts.length > 0) kids.push(field('Options', 4 + m.token.length, p, String(opts.length), opts))
  if (m.payload.length > 0) {
    const at = m.payload.byteOffset - datagram.byteOffset
    kids.push(field('Payload marker', at - 1, at, '0xff'))
    kids.push(field('Payload', at, at + m.payload.length, `${m.payload.length} B`))
  }
  fields.push(field('CoAP', 0, Math.max(total, 4), `${m.type} ${codeName(m.code)}`, kids))
  return { message: m, fields: withViolations(fields, d.violations), violations: d.violations }
}

function withViolations(fields: Field[], violations: readonly Violation[]): Field[] {
  for (const v of violations) {
    fields.push({ label: 'Violation', value: v.message, start: v.offset, end: v.offset + 1, problem: { rule: v.rule, section: v.section, message: v.message } })
  }
  return fields
}
