// SPDX-License-Identifier: Apache-2.0
// A test-only MessageCodec: a CoapMessage as JSON text, so the endpoint can be tested before
// (and independently of) the strict RFC 7252 codec. Datagrams made by `garbage` decode to the
// verdict they name, standing in for the codec's findings on malformed input.

import type { CoapMessage, DecodedDatagram, MessageCodec } from '../../../../src-main/core/coap/message'
import type { Violation } from '../../../../src-main/core/violation'

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
const unhex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g) ?? [], (x) => parseInt(x, 16))

interface Wire {
  t: CoapMessage['type']
  c: number
  mid: number
  tk: string
  o: Array<[number, string]>
  p: string
}

const violation = (rule: string): Violation => ({ offset: 0, rule, section: 'RFC 7252 §3', message: rule })

export const jsonCodec: MessageCodec = {
  encode(m) {
    if (m.token.length > 8) throw new RangeError('token longer than 8 bytes')
    const w: Wire = {
      t: m.type,
      c: m.code,
      mid: m.messageId,
      tk: hex(m.token),
      o: m.options.map((o) => [o.number, hex(o.value)]),
      p: hex(m.payload)
    }
    return new TextEncoder().encode(JSON.stringify(w))
  },
  decode(d): DecodedDatagram {
    const text = new TextDecoder().decode(d)
    const bad = /^GARBAGE (rst|ignore)(?: (\d+))?$/.exec(text)
    if (bad !== null) {
      return {
        message: null,
        violations: [violation(`test.garbage-${bad[1]}`)],
        reject: bad[1] as 'rst' | 'ignore',
        messageId: bad[2] !== undefined ? Number(bad[2]) : null
      }
    }
    try {
      const w = JSON.parse(text) as Wire
      const message: CoapMessage = {
        type: w.t,
        code: w.c,
        messageId: w.mid,
        token: unhex(w.tk),
        options: w.o.map(([number, v]) => ({ number, value: unhex(v) })),
        payload: unhex(w.p)
      }
      return { message, violations: [], reject: null, messageId: w.mid }
    } catch {
      return { message: null, violations: [violation('test.not-json')], reject: 'ignore', messageId: null }
    }
  }
}

/** A datagram the test codec reports as malformed, asking for `action` (RFC 7252 §4.2, §4.3). */
export function garbage(action: 'rst' | 'ignore', messageId?: number): Uint8Array {
  return new TextEncoder().encode(`GARBAGE ${action}${messageId !== undefined ? ` ${messageId}` : ''}`)
}
