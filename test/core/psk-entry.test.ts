// Issue 12 item 13: PSK identities and keys as people type them (T §5: identity ≤ 128 bytes,
// key ≤ 64), with the encoding said rather than guessed.
import { describe, expect, it } from 'vitest'
import { byteCount, pskIdentity, pskKey } from '../../src-main/core/psk-entry'

const bytesOf = (r: ReturnType<typeof pskKey>) => (r.ok ? [...r.bytes] : r.problem)

describe('PSK identity entry (item 13)', () => {
  it('takes text as its UTF-8 bytes, so the endpoint name can be the identity', () => {
    expect(bytesOf(pskIdentity('dev-1', 'text'))).toEqual([0x64, 0x65, 0x76, 0x2d, 0x31])
    expect(bytesOf(pskIdentity('zähler', 'text'))).toHaveLength(7)
  })
  it('takes hex when told so, and refuses odd or non-hex input in plain words', () => {
    expect(bytesOf(pskIdentity('6964', 'hex'))).toEqual([0x69, 0x64])
    expect(pskIdentity('696', 'hex')).toEqual({ ok: false, problem: expect.stringMatching(/odd number of hex digits/) })
    expect(pskIdentity('69zz', 'hex')).toEqual({ ok: false, problem: expect.stringMatching(/not hex: "z" at position 3/) })
  })
  it('refuses an empty identity and one over 128 bytes', () => {
    expect(pskIdentity('', 'text').ok).toBe(false)
    expect(pskIdentity('x'.repeat(129), 'text')).toEqual({ ok: false, problem: expect.stringMatching(/129 bytes; at most 128/) })
  })
})

describe('PSK key entry (item 13)', () => {
  it('never guesses: the same 32 characters are 16 bytes as hex and 24 as base64', () => {
    const k = '000102030405060708090a0b0c0d0e0f'
    expect(bytesOf(pskKey(k, 'hex'))).toHaveLength(16)
    expect(bytesOf(pskKey(k, 'base64'))).toHaveLength(24)
  })
  it('reads base64 with or without padding, and refuses what is not base64', () => {
    expect(bytesOf(pskKey('AAECAwQFBgcICQoLDA0ODw==', 'base64'))).toEqual([...Array(16).keys()])
    expect(bytesOf(pskKey('AAECAwQFBgcICQoLDA0ODw', 'base64'))).toEqual([...Array(16).keys()])
    expect(pskKey('AAEC*wQF', 'base64')).toEqual({ ok: false, problem: expect.stringMatching(/not base64: "\*" at position 5/) })
  })
  it('warns under 16 bytes, refuses over 64 bytes or empty', () => {
    expect(pskKey('0011', 'hex')).toMatchObject({ ok: true, warning: expect.stringMatching(/only 2 bytes/) })
    expect(pskKey('00'.repeat(65), 'hex')).toEqual({ ok: false, problem: expect.stringMatching(/65 bytes; at most 64/) })
    expect(pskKey('', 'hex').ok).toBe(false)
  })
  it('says byte counts in words', () => {
    expect(byteCount(1)).toBe('1 byte')
    expect(byteCount(16)).toBe('16 bytes')
  })
})
