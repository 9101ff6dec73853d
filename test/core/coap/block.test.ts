// SPDX-License-Identifier: Apache-2.0
// Block1/Block2 option values, RFC 7959 §2.2 (coap-facts §4.1).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  blockOption,
  blockSize,
  encodeBlock,
  MAX_BLOCK_NUM,
  parseBlock,
  szxForSize,
  withBlock
} from '../../../src-main/core/coap/block'
import { Option } from '../../../src-main/core/coap/message'
import { hex, toHex } from './helpers'

describe('RFC 7959 §2.2: reading a block value', () => {
  it('0x12 (libcoap Block2 request, coap-facts §1.2) is NUM 1, M 0, SZX 2 = 64 bytes', () => {
    expect(parseBlock(hex('12'))).toEqual({ num: 1, more: false, szx: 2, size: 64 })
  })

  it('0x1a (libcoap Block2 response, coap-facts §12) is NUM 1, M 1, SZX 2', () => {
    expect(parseBlock(hex('1a'))).toEqual({ num: 1, more: true, szx: 2, size: 64 })
  })

  it('the empty value is NUM 0, M 0, SZX 0 = 16 bytes', () => {
    expect(parseBlock(hex(''))).toEqual({ num: 0, more: false, szx: 0, size: 16 })
  })

  it('2- and 3-byte values carry 12- and 20-bit NUMs', () => {
    expect(parseBlock(hex('ff f6'))).toEqual({ num: 4095, more: false, szx: 6, size: 1024 })
    expect(parseBlock(hex('ff ff fe'))).toEqual({
      num: MAX_BLOCK_NUM, more: true, szx: 6, size: 1024
    })
    // Leading zeros are a uint's right (RFC 7252 §3.2): 00 12 is still NUM 1.
    expect(parseBlock(hex('00 12'))).toEqual({ num: 1, more: false, szx: 2, size: 64 })
  })

  it('SZX 7 is reserved over UDP and a value over 3 bytes is out of range: both null', () => {
    expect(parseBlock(hex('07'))).toBeNull()
    expect(parseBlock(hex('1f'))).toBeNull()
    expect(parseBlock(hex('00 00 00 12'))).toBeNull()
  })
})

describe('RFC 7959 §2.2: writing a block value', () => {
  it('writes the fewest bytes', () => {
    expect(toHex(encodeBlock({ num: 0, more: false, szx: 0 }))).toBe('')
    expect(toHex(encodeBlock({ num: 1, more: true, szx: 2 }))).toBe('1a')
    expect(toHex(encodeBlock({ num: 15, more: true, szx: 6 }))).toBe('fe')
    expect(toHex(encodeBlock({ num: 16, more: false, szx: 6 }))).toBe('01 06')
    expect(toHex(encodeBlock({ num: 4096, more: false, szx: 0 }))).toBe('01 00 00')
  })

  it('round trips every NUM, M and SZX 0-6', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_BLOCK_NUM }),
        fc.boolean(),
        fc.integer({ min: 0, max: 6 }),
        (num, more, szx) => {
          const v = encodeBlock({ num, more, szx })
          expect(v.length).toBeLessThanOrEqual(3)
          expect(parseBlock(v)).toEqual({ num, more, szx, size: 16 << szx })
        }
      )
    )
  })

  it('refuses SZX 7, a NUM over 20 bits and negative or fractional NUMs', () => {
    expect(() => encodeBlock({ num: 0, more: false, szx: 7 })).toThrow(/reserved/)
    expect(() => encodeBlock({ num: MAX_BLOCK_NUM + 1, more: false, szx: 0 })).toThrow(RangeError)
    expect(() => encodeBlock({ num: -1, more: false, szx: 0 })).toThrow(RangeError)
    expect(() => encodeBlock({ num: 0.5, more: false, szx: 0 })).toThrow(RangeError)
  })
})

describe('RFC 7959 §2.2/§2.4: block size to SZX', () => {
  it('is exact for 16 ... 1024', () => {
    expect([16, 32, 64, 128, 256, 512, 1024].map(szxForSize)).toEqual([0, 1, 2, 3, 4, 5, 6])
  })

  it('rounds down to the largest block that fits, and caps at 1024', () => {
    expect(szxForSize(100)).toBe(2)
    expect(szxForSize(1023)).toBe(5)
    expect(szxForSize(1152)).toBe(6)
    expect(szxForSize(65536)).toBe(6)
  })

  it('refuses sizes below 16', () => {
    expect(() => szxForSize(15)).toThrow(RangeError)
    expect(() => szxForSize(Number.NaN)).toThrow(RangeError)
  })
})

describe('Block options on a message (the endpoint\'s view)', () => {
  const msg = (v: string) => ({ options: [{ number: Option.BLOCK2, value: hex(v) }] })

  it('keeps SZX 7 (a request with it is 4.00, RFC 7959 §2.2) and is null when absent or too long', () => {
    expect(blockOption(msg('1f'), Option.BLOCK2)).toEqual({ num: 1, more: true, szx: 7, size: 2048 })
    expect(blockOption(msg('12'), Option.BLOCK2)).toEqual(parseBlock(hex('12')))
    expect(blockOption(msg('12'), Option.BLOCK1)).toBeNull()
    expect(blockOption(msg('00 00 00 12'), Option.BLOCK2)).toBeNull()
  })

  it('blockSize is 2^(SZX+4); withBlock writes the option in place', () => {
    expect([0, 6].map(blockSize)).toEqual([16, 1024])
    const opts = withBlock([{ number: Option.BLOCK2, value: hex('00') }], Option.BLOCK2, { num: 1, more: true, szx: 2 })
    expect(opts).toEqual([{ number: Option.BLOCK2, value: hex('1a') }])
  })
})
