import { describe, expect, it } from 'vitest'
import { formatPath, parsePath, parseTarget } from '../../src-main/core/lwm2m/path'

describe('LwM2M paths (T §6.8, C App. C ids)', () => {
  it('parses every level and the root', () => {
    expect(parsePath('/')).toEqual({ ok: true, path: [] })
    expect(parsePath('/3')).toEqual({ ok: true, path: [3] })
    expect(parsePath('/3/0/1/2')).toEqual({ ok: true, path: [3, 0, 1, 2] })
    expect(formatPath([3, 0, 1])).toBe('/3/0/1')
  })
  it('refuses the reserved id 65535 and non-decimal ids', () => {
    expect(parsePath('/65535').ok).toBe(false)
    expect(parsePath('/3/x').ok).toBe(false)
    expect(parsePath('/1/2/3/4/5').ok).toBe(false)
    expect(parsePath('/03').ok).toBe(false)
  })
  it('splits an alternate path and a gateway prefix', () => {
    const a = parseTarget('/lwm2m/3/0', 'lwm2m')
    expect(a.ok && a.target).toEqual({ alternatePath: 'lwm2m', prefix: null, path: [3, 0] })
    const g = parseTarget('/dev1/3/0')
    expect(g.ok && g.target).toEqual({ alternatePath: null, prefix: 'dev1', path: [3, 0] })
  })
})
