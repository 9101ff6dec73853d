// SPDX-License-Identifier: Apache-2.0
// APDUs, status words, ADM/PIN entry, and T=0 response completion (ISO/IEC 7816-4, ETSI TS 102 221).
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { claFor, channelOf, decodeResponse, encodeCommand, maskedCommandHex } from '../../../src-main/core/card/apdu'
import { parseAdm, parsePin } from '../../../src-main/core/card/secret-code'
import { statusWord, triesLeft } from '../../../src-main/core/card/status-word'
import { transmitComplete, withLe } from '../../../src-main/core/card/t0-exchange'

const hex = (s: string): Uint8Array => new Uint8Array((s.replace(/[^0-9a-fA-F]/g, '').match(/../g) ?? []).map((b) => parseInt(b, 16)))
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')

describe('APDU encoding (facts §4.2)', () => {
  it('builds the facts sequence: MANAGE CHANNEL, SELECT ADF on channel 1, SELECT 7FFF 5031', () => {
    expect(toHex(encodeCommand({ cla: 0, ins: 0x70, p1: 0, p2: 0, le: 1 }))).toBe('0070000001')
    expect(toHex(encodeCommand({ cla: claFor(1), ins: 0xa4, p1: 4, p2: 4, data: hex('A0 00 00 00 63 50 4B 43 53 2D 31 35'), le: 256 }))).toBe('01a404040ca000000063504b43532d313500')
    expect(toHex(encodeCommand({ cla: claFor(1), ins: 0xa4, p1: 8, p2: 4, data: hex('7FFF5031'), le: 256 }))).toBe('01a40804047fff503100')
    expect(toHex(encodeCommand({ cla: claFor(1), ins: 0x70, p1: 0x80, p2: 1 }))).toBe('01708001')
  })

  it('class byte of logical channels 0-3 and 4-19 (ISO 7816-4 §5.4.1)', () => {
    expect([0, 1, 3, 4, 19].map(claFor)).toEqual([0x00, 0x01, 0x03, 0x40, 0x4f])
    for (let c = 0; c < 20; c++) expect(channelOf(claFor(c))).toBe(c)
  })

  it('masks VERIFY and UPDATE BINARY data, keeps headers (secrets never in logs)', () => {
    expect(maskedCommandHex(hex('00 20 00 0A 08 31 32 33 34 35 36 37 38'))).toBe('0020000a08****************')
    expect(maskedCommandHex(hex('01 D6 00 04 03 AA BB CC'))).toBe('01d6000403******')
    expect(maskedCommandHex(hex('00 20 00 0A'))).toBe('0020000a')
    expect(maskedCommandHex(hex('01 B0 00 00 00'))).toBe('01b0000000')
  })

  it('a response shorter than SW1 SW2 reads as 6F00', () => {
    expect(decodeResponse(hex('90'))).toEqual({ data: new Uint8Array(0), sw1: 0x6f, sw2: 0 })
  })
})

describe('status words', () => {
  it('every status word has a meaning (fuzz), and the usual ones say what they are', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), (a, b) => statusWord(a, b).meaning.length > 0))
    expect(statusWord(0x6a, 0x82).meaning).toBe('file or application not found')
    expect(statusWord(0x63, 0xc2).meaning).toBe('verification failed or not done: 2 tries left')
    expect(triesLeft(0x63, 0xc2)).toBe(2)
    expect(statusWord(0x61, 0x10)).toMatchObject({ ok: true, meaning: '16 response bytes available (GET RESPONSE)' })
    expect(statusWord(0x6c, 0x08).meaning).toBe('wrong Le: exactly 8 bytes available')
  })
})

describe('ADM and PIN entry (issue 18 item 4)', () => {
  it('16 hex characters are the key bytes; 8 decimal digits are taken as ASCII', () => {
    expect(parseAdm('0102030405060708')).toEqual({ ok: true, bytes: hex('0102030405060708') })
    expect(parseAdm('12345678')).toEqual({ ok: true, bytes: hex('3132333435363738') })
    expect(parseAdm(' 12345678\n')).toMatchObject({ ok: true })
    expect(parseAdm('1234')).toMatchObject({ ok: false })
    expect(parseAdm('zz02030405060708')).toMatchObject({ ok: false })
  })
  it('a PIN is ASCII digits padded with FF to 8 bytes', () => {
    expect(parsePin('0000')).toEqual({ ok: true, bytes: hex('30303030FFFFFFFF') })
    expect(parsePin('12')).toMatchObject({ ok: false })
  })
})

describe('T=0 response completion', () => {
  it('61xx: fetches with GET RESPONSE on the command\'s channel', async () => {
    const sent: string[] = []
    const r = await transmitComplete(hex('01 A4 04 04 02 3F 00 00'), async (c) => {
      sent.push(toHex(c))
      return c[1] === 0xc0 ? hex('62 01 AA 90 00') : hex('61 03')
    })
    expect(sent).toEqual(['01a40404023f0000', '01c0000003'])
    expect(toHex(r.response)).toBe('6201aa9000')
  })

  it('6Cxx: sends the command again with the exact Le', async () => {
    const sent: string[] = []
    const r = await transmitComplete(hex('00 B0 00 00 00'), async (c) => {
      sent.push(toHex(c))
      return c[4] === 8 ? hex('0102030405060708 9000') : hex('6C 08')
    })
    expect(sent).toEqual(['00b0000000', '00b0000008'])
    expect(toHex(r.response)).toBe('01020304050607089000')
  })

  it('withLe replaces or adds Le in every case', () => {
    expect(toHex(withLe(hex('00 B0 00 00 00'), 5))).toBe('00b0000005')
    expect(toHex(withLe(hex('00 B0 00 00'), 5))).toBe('00b0000005')
    expect(toHex(withLe(hex('00 A4 00 04 02 3F 00'), 0x10))).toBe('00a40004023f0010')
    expect(toHex(withLe(hex('00 A4 00 04 02 3F 00 00'), 0x10))).toBe('00a40004023f0010')
  })

  it('a card that answers 61xx forever stops after a bounded number of rounds', async () => {
    let n = 0
    await transmitComplete(hex('00 B0 00 00 00'), async () => {
      n++
      return hex('61 01')
    })
    expect(n).toBeLessThan(100)
  })
})
