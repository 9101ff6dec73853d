// SPDX-License-Identifier: Apache-2.0
// Each rejection condition of RFC 7252 §3, §4.1-§4.3 and §12.1 (coap-facts §1.6): the rule,
// the byte offset, what the receiver is told to do, and the Message ID it needs for a RST.
import { describe, expect, it } from 'vitest'
import { decodeMessage } from '../../../src-main/core/coap/codec'
import { hex, rules } from './helpers'

interface Case {
  name: string
  bytes: string
  rule: string
  offset: number
  reject: 'rst' | 'ignore'
  messageId: number | null
  section: string
}

const S3 = 'RFC 7252 §3'
const S31 = 'RFC 7252 §3.1'
const S41 = 'RFC 7252 §4.1'
const S43 = 'RFC 7252 §4.3'
const S121 = 'RFC 7252 §12.1'

function c(
  name: string,
  bytes: string,
  rule: string,
  offset: number,
  reject: 'rst' | 'ignore',
  messageId: number | null,
  section: string
): Case {
  return { name, bytes, rule, offset, reject, messageId, section }
}

const cases: Case[] = [
  // No header: nothing to echo, so nothing to answer (coap-facts §1.6 practical rule).
  c('an empty datagram', '',
    'coap.too-short', 0, 'ignore', null, S3),
  c('a 3-byte CON', '40 01 12',
    'coap.too-short', 0, 'ignore', null, S3),
  // §3: unknown version is silently ignored, even for a CON.
  c('Ver 0 CON GET', '01 01 12 34 01',
    'coap.version', 0, 'ignore', null, S3),
  c('Ver 2 CON GET', '80 01 12 34',
    'coap.version', 0, 'ignore', null, S3),
  c('Ver 3 CON Empty', 'c0 00 12 34',
    'coap.version', 0, 'ignore', null, S3),
  // §3: TKL 9-15 is a message format error.
  c('CON with TKL 15', '4f 01 12 34',
    'coap.tkl-reserved', 0, 'rst', 0x1234, S3),
  c('NON with TKL 9', '59 01 12 34 00 00 00 00 00 00 00 00 00',
    'coap.tkl-reserved', 0, 'ignore', 0x1234, S3),
  c('ACK response with TKL 12', '6c 45 12 34',
    'coap.tkl-reserved', 0, 'ignore', 0x1234, S3),
  c('CON whose token runs past the end', '44 01 12 34 aa bb',
    'coap.token-overrun', 0, 'rst', 0x1234, S3),
  // §3.1: nibble 15 outside 0xFF.
  c('CON with option delta nibble 15 (f0)', '40 01 12 34 f0',
    'coap.option-delta-reserved', 4, 'rst', 0x1234, S31),
  c('NON with option delta nibble 15 after an option', '50 01 12 34 b1 61 f3 00 00 00',
    'coap.option-delta-reserved', 6, 'ignore', 0x1234, S31),
  c('CON with option length nibble 15 (bf)', '40 01 12 34 bf',
    'coap.option-length-reserved', 4, 'rst', 0x1234, S31),
  c('CON with length nibble 15 and extended delta (df)', '41 02 12 34 aa df 00',
    'coap.option-length-reserved', 5, 'rst', 0x1234, S31),
  // §3.1: extended fields and values must fit.
  c('CON with a 1-byte extended delta missing', '40 01 12 34 d0',
    'coap.option-overrun', 4, 'rst', 0x1234, S31),
  c('CON with half of a 2-byte extended delta', '40 01 12 34 e0 00',
    'coap.option-overrun', 4, 'rst', 0x1234, S31),
  c('CON with a 1-byte extended length missing', '40 01 12 34 bd',
    'coap.option-overrun', 4, 'rst', 0x1234, S31),
  c('CON with half of a 2-byte extended length after an extended delta', '40 01 12 34 de 01 00',
    'coap.option-overrun', 4, 'rst', 0x1234, S31),
  c('CON whose option value runs past the end', '40 01 12 34 b4 74 69 6d',
    'coap.option-overrun', 4, 'rst', 0x1234, S31),
  c('ACK whose second option value runs past the end', '60 45 12 34 c1 28 b3 1a',
    'coap.option-overrun', 6, 'ignore', 0x1234, S31),
  // Option numbers are 16-bit (§12.2): 65535 + 1 cannot be named.
  c('CON whose option number passes 65535', '40 01 12 34 e0 fe f2 10',
    'coap.option-number-range', 7, 'rst', 0x1234, S31),
  // §3: payload marker followed by nothing.
  c('NON with a payload marker and no payload', '51 02 12 34 aa ff',
    'coap.payload-marker-empty', 5, 'ignore', 0x1234, S3),
  c('CON with options, a payload marker and no payload', '40 02 12 34 b2 72 64 ff',
    'coap.payload-marker-empty', 7, 'rst', 0x1234, S3),
  // §4.1: Empty is exactly 4 bytes with TKL 0.
  c('Empty CON with a byte after the MID', '40 00 12 34 00',
    'coap.empty-with-content', 4, 'rst', 0x1234, S41),
  c('Empty ACK with TKL 1 and a token', '61 00 12 34 aa',
    'coap.empty-with-content', 0, 'ignore', 0x1234, S41),
  c('Empty RST with a payload', '70 00 12 34 ff 01',
    'coap.empty-with-content', 4, 'ignore', 0x1234, S41),
  // §12.1 / §4.2-§4.3: reserved classes 1, 6, 7.
  c('CON with code 1.00', '40 20 12 34',
    'coap.code-class-reserved', 1, 'rst', 0x1234, S121),
  c('NON with code 6.01', '50 c1 12 34',
    'coap.code-class-reserved', 1, 'ignore', 0x1234, S121),
  c('ACK with signalling code 7.01 (CSM, reliable transports only)', '60 e1 12 34',
    'coap.code-class-reserved', 1, 'ignore', 0x1234, S121),
  // §4.2-§4.3 Table 1: type usage.
  c('RST carrying 2.05', '70 45 12 34',
    'coap.rst-not-empty', 1, 'ignore', 0x1234, S43),
  c('RST carrying GET', '70 01 12 34',
    'coap.rst-not-empty', 1, 'ignore', 0x1234, S43),
  c('Empty NON', '50 00 12 34',
    'coap.empty-non', 1, 'ignore', 0x1234, S43),
  c('ACK carrying a GET request', '61 01 12 34 aa',
    'coap.ack-request', 1, 'ignore', 0x1234, S43),
  c('ACK carrying a request with the unassigned method code 0.31', '60 1f 12 34',
    'coap.ack-request', 1, 'ignore', 0x1234, S43)
]

describe('RFC 7252 §3, §4.1-§4.3, §12.1: each rejection condition', () => {
  for (const c of cases) {
    it(`${c.name}: ${c.rule}, ${c.reject}`, () => {
      const r = decodeMessage(hex(c.bytes))
      expect(rules(r)).toEqual([c.rule])
      expect(r.violations[0]).toMatchObject({ offset: c.offset, section: c.section })
      expect(r.violations[0]!.message.length).toBeGreaterThan(10)
      expect(r.reject).toBe(c.reject)
      expect(r.messageId).toBe(c.messageId)
    })
  }
})

describe('RFC 7252 §4.2: what is understood of a rejected datagram', () => {
  it('Ver ≠ 1 and short datagrams give no message, only the violation', () => {
    expect(decodeMessage(hex('80 01 12 34')).message).toBeNull()
    expect(decodeMessage(hex('40 01')).message).toBeNull()
  })

  it('after an option format error the earlier options are kept and the payload is empty', () => {
    const r = decodeMessage(hex('41 01 12 34 aa b2 72 64 f0 ff 01'))
    expect(r.message!.token).toEqual(hex('aa'))
    expect(r.message!.options.map((o) => o.number)).toEqual([11])
    expect(r.message!.payload.length).toBe(0)
    expect(r.reject).toBe('rst')
  })

  it('a reserved class and a non-empty RST are both reported, and the body is still read', () => {
    const r = decodeMessage(hex('71 e2 00 09 42 ff 01'))
    expect(rules(r)).toEqual(['coap.code-class-reserved', 'coap.rst-not-empty'])
    expect(r.reject).toBe('ignore')
    expect(r.message!.payload).toEqual(hex('01'))
  })

  it('a CON request with a reserved class and a format error is still one RST', () => {
    const r = decodeMessage(hex('4f e0 00 0a'))
    expect(rules(r)).toEqual(['coap.code-class-reserved', 'coap.tkl-reserved'])
    expect(r.reject).toBe('rst')
    expect(r.messageId).toBe(10)
  })

  it('an ACK with a request and an empty payload marker gets both violations', () => {
    const r = decodeMessage(hex('60 02 00 0b ff'))
    expect(rules(r)).toEqual(['coap.ack-request', 'coap.payload-marker-empty'])
    expect(r.reject).toBe('ignore')
  })

  it('option 65535 itself is fine (delta 14 + 0xfef2 = 65535)', () => {
    const r = decodeMessage(hex('40 01 12 34 e0 fe f2'))
    expect(r.violations).toEqual([])
    expect(r.message!.options.map((o) => o.number)).toEqual([65535])
  })
})
