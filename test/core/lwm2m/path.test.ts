// SPDX-License-Identifier: Apache-2.0
// LwM2M paths (C §6.3): /O, /O/I, /O/I/R, /O/I/R/RI, ids 0..65534 (65535 is reserved).
import { describe, expect, it } from 'vitest'
import { parsePath } from '../../../src-main/core/lwm2m/path'

describe('parsePath (C §6.3)', () => {
  it.each([
    ['/', []],
    ['', []],
    ['/3', [3]],
    ['3/0/1', [3, 0, 1]],
    ['/3/0/1/', [3, 0, 1]],
    ['/0/0', [0, 0]],
    ['/65534/1/2/3', [65534, 1, 2, 3]]
  ])('reads %j', (text, path) => {
    expect(parsePath(text)).toEqual({ ok: true, path })
  })

  it.each([
    ['//3', /"" in "\/\/3" is not a decimal id/],
    ['/03', /"03" in "\/03" is not a decimal id/],
    ['/00', /"00" in "\/00" is not a decimal id/],
    ['/3//1', /is not a decimal id/],
    ['/65535', /out of range 0\.\.65534/],
    ['/123456', /out of range/],
    ['/1/2/3/4/5', /at most 4 ids/],
    ['/3/a', /"a" in "\/3\/a" is not a decimal id/],
    ['/3/-1', /not a decimal id/],
    ['/3/ 1', /not a decimal id/]
  ])('refuses %j with the reason', (text, reason) => {
    const r = parsePath(text)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.reason).toMatch(reason)
  })

  it('agrees with a plain split-and-check reading on random strings of digits and slashes', () => {
    const reference = (t: string): number[] | null => {
      const segs = t.split('/').filter((s, i, all) => !(s === '' && (i === 0 || i === all.length - 1)))
      if (segs.length === 1 && segs[0] === '') return []
      if (segs.length > 4) return null
      const out: number[] = []
      for (const s of segs) {
        if (!/^(0|[1-9][0-9]*)$/.test(s) || Number(s) > 65534) return null
        out.push(Number(s))
      }
      return out
    }
    let seed = 7
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n)
    for (let k = 0; k < 5000; k++) {
      let t = ''
      const len = rnd(12)
      for (let i = 0; i < len; i++) t += '/0123456789'[rnd(11)]
      const r = parsePath(t)
      expect(r.ok ? [...r.path] : null, t).toEqual(reference(t))
    }
  })
})
