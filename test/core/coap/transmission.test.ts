// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_TRANSMISSION_PARAMETERS,
  initialTimeoutMs,
  transmissionSettings
} from '../../../src-main/core/coap/transmission'
import { fixedRandom, seededRandom } from './helpers/seeded-random'

describe('RFC 7252 §4.8 transmission parameters', () => {
  it('§4.8 Table 2 defaults', () => {
    expect(DEFAULT_TRANSMISSION_PARAMETERS).toMatchObject({
      ackTimeoutMs: 2000,
      ackRandomFactor: 1.5,
      maxRetransmit: 4,
      nstart: 1,
      defaultLeisureMs: 5000,
      probingRateBytesPerSecond: 1
    })
  })

  it('§4.8.2 Table 3 derived times: 45 s, 93 s, 202 s, 247 s, 145 s', () => {
    const s = transmissionSettings()
    expect(s.maxTransmitSpanMs).toBe(45_000)
    expect(s.maxTransmitWaitMs).toBe(93_000)
    expect(s.processingDelayMs).toBe(2_000)
    expect(s.maxRttMs).toBe(202_000)
    expect(s.exchangeLifetimeMs).toBe(247_000)
    expect(s.nonLifetimeMs).toBe(145_000)
  })

  it('§4.8.2 derived times follow changed parameters', () => {
    const s = transmissionSettings({ ackTimeoutMs: 1000, maxRetransmit: 2, ackRandomFactor: 2 })
    expect(s.maxTransmitSpanMs).toBe(1000 * 3 * 2)
    expect(s.maxTransmitWaitMs).toBe(1000 * 7 * 2)
    expect(s.exchangeLifetimeMs).toBe(6000 + 200_000 + 1000)
    expect(s.nonLifetimeMs).toBe(6000 + 100_000)
  })

  it('§4.8.1 refuses ACK_RANDOM_FACTOR < 1 and impossible counts', () => {
    expect(() => transmissionSettings({ ackRandomFactor: 0.9 })).toThrow(RangeError)
    expect(() => transmissionSettings({ maxRetransmit: 1.5 })).toThrow(RangeError)
    expect(() => transmissionSettings({ nstart: 0 })).toThrow(RangeError)
    expect(() => transmissionSettings({ ackTimeoutMs: 0 })).toThrow(RangeError)
  })

  it('§4.2 first timeout spans [ACK_TIMEOUT, ACK_TIMEOUT * ACK_RANDOM_FACTOR]', () => {
    const p = transmissionSettings()
    expect(initialTimeoutMs(p, fixedRandom(0))).toBe(2000)
    expect(initialTimeoutMs(p, fixedRandom(0.5))).toBe(2500)
    const r = seededRandom(42)
    for (let i = 0; i < 1000; i++) {
      const t = initialTimeoutMs(p, r)
      expect(t).toBeGreaterThanOrEqual(2000)
      expect(t).toBeLessThan(3000)
    }
  })
})
