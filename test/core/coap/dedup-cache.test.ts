// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest'
import { DedupCache, type Seen } from '../../../src-main/core/coap/dedup-cache'

const seen = (peerKey: string, messageId: number, until: number): Seen => ({ peerKey, messageId, reply: null, onDuplicate: null, until })

describe('DedupCache (RFC 7252 §4.5: duplicates within EXCHANGE_LIFETIME)', () => {
  it('forgets in arrival order once the lifetime is over, and never forgets a newer entry for a message seen again', () => {
    const c = new DedupCache(100)
    const first = seen('p', 1, 10)
    c.remember(first, 0)
    c.remember(seen('p', 2, 20), 1)
    const again = seen('p', 1, 30) // the same MID from the same peer, after the first one's lifetime
    c.remember(again, 11) // sweeps the first (stale) queue entry: must not delete `again`
    expect(c.get('p', 1)).toBe(again)
    expect(c.get('p', 2)?.until).toBe(20)
    c.sweep(25)
    expect(c.get('p', 2)).toBeUndefined()
    expect(c.get('p', 1)).toBe(again)
    expect(c.size).toBe(1)
  })

  it('keeps at most the cap, dropping the oldest first', () => {
    const c = new DedupCache(500)
    for (let i = 0; i < 100_000; i++) c.remember(seen(`udp:h:${i % 7}`, i & 0xffff, 1e9), i)
    expect(c.size).toBe(500)
    expect(c.get('udp:h:' + (99_999 % 7), 99_999 & 0xffff)).toBeDefined()
    expect(c.get('udp:h:0', 0)).toBeUndefined()
  })
})
