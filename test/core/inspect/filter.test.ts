// SPDX-License-Identifier: Apache-2.0
// Issue 16 item 5: the filter language — every key, &&, ||, ! and parentheses, errors that point
// at the column — over a store filled by the exchange analyzer from hand-built frames.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ExchangeAnalyzer } from '../../../src-main/core/inspect/analyzer'
import { compileFilter, parseFilter, FILTER_KEYS } from '../../../src-main/core/inspect/filter'
import { FrameStore } from '../../../src-main/core/inspect/frame-store'
import { coap, c, GET, POST } from './inspect-fixtures'

const DEV = (n: number): string => `udp:10.0.0.${n}:40000`
const SRV = 'udp:10.0.0.1:5683'
const T0 = Date.parse('2026-01-31T10:00:00Z')

function fill(): FrameStore {
  const store = new FrameStore({ maxBytes: 1e9 })
  const a = new ExchangeAnalyzer()
  a.onPair = (e, l) => store.setPair(e, l)
  const add = (src: string, dst: string, bytes: Uint8Array, at: number, transport = 'udp'): void => {
    const id = store.peekId()
    store.append({ at, direction: src === SRV ? 'out' : 'in', transport, src, dst, bytes }, a.analyze({ id, at, src, dst, bytes }))
  }
  for (let n = 2; n <= 8; n++) {
    add(DEV(n), SRV, coap(POST, { path: '/rd', query: [`ep=sim-${n}`, 'lwm2m=1.2'], token: [n], mid: n }), T0 + n)
    add(SRV, DEV(n), coap(c(2, 1), { token: [n], mid: n, location: ['rd', `r${n}`] }), T0 + n + 1)
  }
  add(SRV, DEV(7), coap(GET, { path: '/3/0/1', token: [70], mid: 70 }), T0 + 100)
  add(DEV(7), SRV, coap(c(4, 4), { token: [70], mid: 70 }), T0 + 101)
  add(SRV, DEV(3), coap(GET, { path: '/3/0', token: [30], mid: 30 }), T0 + 60_000)
  add(DEV(3), SRV, coap(c(2, 5), { token: [30], mid: 30, cf: 0, payload: 'Hello Meter' }), T0 + 60_001, 'dtls')
  return store
}

const store = fill()

function run(text: string, now = T0 + 120_000): number[] {
  const p = parseFilter(text)
  if (!p.ok) throw new Error(`${p.error.column}: ${p.error.message}`)
  const texts = new Map<number, string>([[store.nextId - 1, 'Content "Hello Meter"']])
  const pred = compileFilter(p.filter, { strings: store.strings, transportId: (n) => store.transportId(n), now, text: (id) => texts.get(id) ?? '' })
  const out: number[] = []
  store.scan(store.firstId, 1, (id, cols, i) => (pred(id, cols, i) && out.push(id), true))
  return out
}

describe('filter language', () => {
  it('ep=sim-7 && op=read && code>=4.00 finds the failed answer to the Read (the issue\'s example)', () => {
    expect(run('ep=sim-7 && op=read && code>=4.00')).toEqual([store.nextId - 3])
  })

  it('every key', () => {
    expect(run('op=register && code=2.01')).toHaveLength(7)
    expect(run('ep=sim-*')).toHaveLength(18)
    expect(run('path=/3/0')).toHaveLength(4)
    expect(run('path=/3/0/1')).toHaveLength(2)
    expect(run('path=/3')).toHaveLength(4)
    expect(run('code=4.xx')).toHaveLength(1)
    expect(run('code<2.00')).toHaveLength(9)
    expect(run('code=GET')).toHaveLength(2)
    expect(run('cf=text')).toEqual(run('cf=0'))
    expect(run('cf=text')).toHaveLength(1)
    expect(run('dir=out')).toHaveLength(9)
    expect(run('transport=dtls')).toHaveLength(1)
    expect(run('time>=2026-01-31T10:01:00Z')).toHaveLength(2)
    expect(run('time<-1m', T0 + 61_000)).toHaveLength(16)
    expect(run('text~"hello meter"')).toEqual([store.nextId - 1])
  })

  it('!, || and parentheses bind as written', () => {
    const regs = run('op=register').length
    expect(run('!op=register')).toHaveLength(store.count - regs)
    expect(run('(ep=sim-2 || ep=sim-3) && code=2.01')).toHaveLength(2)
    expect(run('ep=sim-2 || ep=sim-3 && code=2.01')).toHaveLength(3)
    expect(run('ep!=sim-2 && op=register && code=POST')).toHaveLength(6)
  })

  it('an empty filter matches everything', () => {
    expect(run('  ')).toHaveLength(store.count)
  })

  const errors: [string, number, RegExp][] = [
    ['op=reed', 4, /unknown operation "reed"/],
    ['ep=a & op=read', 6, /write "&&"/],
    ['ep=a && (op=read', 17, /"\(" is not closed/],
    ['colour=red', 1, /unknown key "colour"/],
    ['code>=4.99', 7, /not a code/],
    ['dir=sideways', 5, /in or out/],
    ['time>=yesterday', 7, /not a time/],
    ['text=x', 5, /text" takes ~/],
    ['ep=a op=read', 6, /expected && or \|\|/],
    ['ep=', 4, /expected a value/],
    ['text~"open', 6, /no closing "/],
    ['path=3/0', 6, /LwM2M path/],
    ['ep=a)', 5, /has no "\("/]
  ]
  for (const [text, column, message] of errors) {
    it(`"${text}" is refused at column ${column}`, () => {
      const p = parseFilter(text)
      expect(p.ok).toBe(false)
      if (!p.ok) {
        expect(p.error.column).toBe(column)
        expect(p.error.message).toMatch(message)
      }
    })
  }

  it('never throws on any text (fuzz): a filter or an error inside the text', () => {
    const alphabet = fc.constantFrom(...'ep=op!&|()"~<>-. 0123456789abcdx/'.split(''), ...FILTER_KEYS)
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 30 }).map((a) => a.join('')), (text) => {
      const p = parseFilter(text)
      if (!p.ok) {
        expect(p.error.column).toBeGreaterThanOrEqual(1)
        expect(p.error.column).toBeLessThanOrEqual(text.length + 1)
      }
    }), { numRuns: 5000 })
  })
})
