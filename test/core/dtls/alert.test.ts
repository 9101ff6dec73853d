// SPDX-License-Identifier: Apache-2.0
// Alerts (RFC 5246 §7.2, RFC 4279 §2, RFC 6066 §9, RFC 7507 §2): names, LwM2M advice, decoding.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ALERTS, decodeAlert, describeAlert, encodeAlert, explainAlert } from '../../../src-main/core/dtls/alert'
import { hex, toHex } from './helpers'

describe('alerts (RFC 5246 §7.2)', () => {
  it('every code of dtls-facts §2.11 has a name', () => {
    const codes = [0, 10, 20, 21, 22, 30, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 60, 70, 71, 80, 86, 90, 100, 110, 111, 112, 113, 114, 115]
    expect([...ALERTS.keys()].sort((a, b) => a - b)).toEqual(codes)
    expect(describeAlert(115)).toBe('unknown_psk_identity (115)')
    expect(describeAlert(99)).toBe('alert 99')
    expect(ALERTS.get(48)?.lwm2m).toBe('fail')
  })

  it('a fatal bad_record_mac decodes and re-encodes', () => {
    const { alert, violations } = decodeAlert(hex('0214'))
    expect(violations).toEqual([])
    expect(alert).toEqual({ level: 2, description: 20 })
    expect(toHex(encodeAlert(alert!))).toBe('0214')
  })

  it('RFC 5246 §7.2.2: an always-fatal alert sent as warning, bad level, short and long bodies', () => {
    expect(decodeAlert(hex('0133')).violations.map((v) => v.rule)).toEqual(['dtls.alert-level'])
    expect(decodeAlert(hex('0300')).violations.map((v) => v.rule)).toEqual(['dtls.alert-level'])
    expect(decodeAlert(hex('02')).alert).toBeUndefined()
    expect(decodeAlert(hex('020000')).violations.map((v) => v.rule)).toEqual(['dtls.alert-trailing-bytes'])
  })

  it('plain words: decrypt_error and bad_record_mac point at the key, unknown_psk_identity at the identity', () => {
    expect(explainAlert({ level: 2, description: 51 })).toMatch(/wrong PSK/)
    expect(explainAlert({ level: 2, description: 20 })).toMatch(/wrong PSK/)
    expect(explainAlert({ level: 2, description: 115 })).toMatch(/identity/)
    expect(explainAlert({ level: 2, description: 200 })).toBe('alert 200, fatal: No specific hint for this alert.')
  })

  it('fuzz: any bytes decode without throwing; two-byte alerts round-trip', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4 }), (b) => {
      const { alert } = decodeAlert(b)
      if (b.length === 2) expect(toHex(encodeAlert(alert!))).toBe(toHex(b))
    }), { numRuns: 2000 })
  })
})
