// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest'
import { ChurnTable } from '../../src-main/core/churn-table'

describe('ChurnTable', () => {
  it('behaves like a string-keyed Map: get, has, set, delete, size, values in insertion order', () => {
    const t = new ChurnTable<{ v: number }>()
    t.set('udp:a#1', { v: 1 })
    t.set('udp:b#2', { v: 2 })
    t.set('udp:a#1', { v: 3 })
    expect(t.size).toBe(2)
    expect(t.get('udp:a#1')).toEqual({ v: 3 })
    expect(t.has('udp:b#2')).toBe(true)
    expect(t.get('missing')).toBeUndefined()
    expect(t.has('toString')).toBe(false) // no prototype behind the keys
    t.set('__proto__', { v: 4 })
    expect(t.get('__proto__')).toEqual({ v: 4 })
    expect(t.values()).toEqual([{ v: 3 }, { v: 2 }, { v: 4 }])
    expect(t.delete('udp:b#2')).toBe(true)
    expect(t.delete('udp:b#2')).toBe(false)
    expect(t.size).toBe(2)
    t.clear()
    expect(t.size).toBe(0)
    expect(t.values()).toEqual([])
  })

  it('keeps up with steady churn', () => {
    const t = new ChurnTable<{ n: number }>()
    for (let i = 0; i < 50_000; i++) {
      t.set(`k#${i}`, { n: i })
      if (i >= 200) expect(t.delete(`k#${i - 200}`)).toBe(true)
    }
    expect(t.size).toBe(200)
    expect(t.values()[0]).toEqual({ n: 49_800 })
  })
})
