// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest'
import { isNewerNotification } from '../../../src-main/core/coap/observe-freshness'

describe('RFC 7641 §3.4 notification freshness', () => {
  it('a larger sequence number within 2^23 is newer, a smaller one is not', () => {
    expect(isNewerNotification(5, 0, 6, 1)).toBe(true)
    expect(isNewerNotification(6, 0, 5, 1)).toBe(false)
  })
  it('an equal sequence number is not newer', () => {
    expect(isNewerNotification(7, 0, 7, 1)).toBe(false)
  })
  it('the 24-bit number wraps: 0xFFFFFF → 1 is newer, 1 → 0xFFFFFF is not', () => {
    expect(isNewerNotification(0xffffff, 0, 1, 1)).toBe(true)
    expect(isNewerNotification(1, 0, 0xffffff, 1)).toBe(false)
  })
  it('a jump of exactly 2^23 is not newer; just under is', () => {
    expect(isNewerNotification(0, 0, 1 << 23, 1)).toBe(false)
    expect(isNewerNotification(0, 0, (1 << 23) - 1, 1)).toBe(true)
  })
  it('after more than 128 s anything is newer, at exactly 128 s not', () => {
    expect(isNewerNotification(10, 0, 3, 128_001)).toBe(true)
    expect(isNewerNotification(10, 0, 3, 128_000)).toBe(false)
  })
  it('only the low 24 bits count', () => {
    expect(isNewerNotification(0x1000005, 0, 6, 1)).toBe(true)
  })
})
