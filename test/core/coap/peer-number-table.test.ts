// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest'
import { PeerNumberTable, tokenNumber } from '../../../src-main/core/coap/peer-number-table'

describe('PeerNumberTable (Message IDs per peer, RFC 7252 §4.4; tokens per peer, §5.3.1)', () => {
  it('keeps the same Message ID apart for two peers, and deletes from the middle of a slot', () => {
    const t = new PeerNumberTable<string>()
    t.set('udp:a:1', 7, 'a')
    t.set('udp:b:1', 7, 'b')
    t.set('udp:c:1', 7, 'c')
    expect([t.get('udp:a:1', 7), t.get('udp:b:1', 7), t.get('udp:c:1', 7), t.get('udp:d:1', 7)]).toEqual(['a', 'b', 'c', undefined])
    expect(t.size).toBe(3)
    expect(t.delete('udp:b:1', 7)).toBe(true)
    expect(t.delete('udp:b:1', 7)).toBe(false)
    expect([t.get('udp:a:1', 7), t.get('udp:b:1', 7), t.get('udp:c:1', 7)]).toEqual(['a', undefined, 'c'])
    t.set('udp:a:1', 7, 'a2') // replaces, does not add
    expect(t.size).toBe(2)
    expect(t.get('udp:a:1', 7)).toBe('a2')
    t.delete('udp:a:1', 7)
    t.delete('udp:c:1', 7)
    expect(t.size).toBe(0)
    expect(t.has('udp:c:1', 7)).toBe(false)
  })

  it('tells apart tokens that share their leading bytes (same slot) by the whole token', () => {
    const t1 = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)
    const t2 = Uint8Array.of(1, 2, 3, 4, 9, 9, 9, 9)
    expect(tokenNumber(t1)).toBe(tokenNumber(t2))
    const t = new PeerNumberTable<string>()
    t.set('p', tokenNumber(t1), 'one', t1)
    t.set('p', tokenNumber(t2), 'two', t2)
    expect(t.get('p', tokenNumber(t1), t1)).toBe('one')
    expect(t.get('p', tokenNumber(t2), t2)).toBe('two')
    expect(t.get('p', tokenNumber(t1), Uint8Array.of(1, 2, 3, 4))).toBeUndefined()
    t.delete('p', tokenNumber(t1), t1)
    expect(t.get('p', tokenNumber(t2), t2)).toBe('two')
    expect(t.size).toBe(1)
  })

  it('gives empty and short tokens (0..8 bytes) a small non-negative slot number', () => {
    for (const tok of [new Uint8Array(0), Uint8Array.of(255), Uint8Array.of(255, 255, 255, 255, 255, 255, 255, 255)]) {
      const n = tokenNumber(tok)
      expect(Number.isInteger(n) && n >= 0 && n < 2 ** 30).toBe(true)
    }
    expect(tokenNumber(new Uint8Array(0))).not.toBe(tokenNumber(Uint8Array.of(0)))
  })
})
