// SPDX-License-Identifier: Apache-2.0
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EncodeError } from '../../../src-main/core/lwm2m/codec'
import {
  formatLinkFormat,
  parseLinkFormat,
  type Link,
  type LinkAttributeValue
} from '../../../src-main/core/lwm2m/link-format'
import { formatPath, type Path } from '../../../src-main/core/lwm2m/path'

function rules(text: string): string[] {
  return parseLinkFormat(text).violations.map((v) => `${v.offset}:${v.rule}`)
}

describe('CoRE Link Format parse: examples of the facts file', () => {
  it('facts §3.1 Bootstrap-Discover reply: lwm2m, ssid, uri typed, BS account bare', () => {
    const text =
      '</>;lwm2m=1.2,</0/0>;ssid=101;uri="coaps://s1.example.com",</0/1>,</1/0>;ssid=101,</3/0>,' +
      '</21/0>;ssid=101,</23/65>,</24/1>'
    const r = parseLinkFormat(text)
    expect(r.violations).toEqual([])
    expect(r.links).toEqual([
      { target: '/', path: [], attributes: { lwm2m: '1.2' } },
      { target: '/0/0', path: [0, 0], attributes: { ssid: 101, uri: 'coaps://s1.example.com' } },
      { target: '/0/1', path: [0, 1], attributes: {} },
      { target: '/1/0', path: [1, 0], attributes: { ssid: 101 } },
      { target: '/3/0', path: [3, 0], attributes: {} },
      { target: '/21/0', path: [21, 0], attributes: { ssid: 101 } },
      { target: '/23/65', path: [23, 65], attributes: {} },
      { target: '/24/1', path: [24, 1], attributes: {} }
    ])
    expect(formatLinkFormat(r.links)).toBe(text)
  })

  it('facts §2.1 / §3.2 Register root link: ct as an integer or a quoted list (RFC 7252 §7.2.1)', () => {
    expect(parseLinkFormat('</>;ct=110').links[0]?.attributes).toEqual({ ct: 110 })
    expect(parseLinkFormat('</>;ct="110 112 60"').links[0]?.attributes).toEqual({ ct: [110, 112, 60] })
    expect(formatLinkFormat([{ target: '/', attributes: { ct: [110, 112, 60] } }])).toBe('</>;ct="110 112 60"')
    expect(rules('</>;ct="110  112"')).toEqual(['7:link-format.bad-ct'])
    expect(rules('</>;ct=70000')).toEqual(['7:link-format.bad-ct'])
  })

  it('facts §3.6 alternate path: </lwm2m>;rt="oma.lwm2m" is a link without an LwM2M path', () => {
    const r = parseLinkFormat('</lwm2m>;rt="oma.lwm2m",</lwm2m/1/0>,</lwm2m/3/0>')
    expect(r.violations).toEqual([])
    expect(r.links[0]).toEqual({ target: '/lwm2m', attributes: { rt: 'oma.lwm2m' } })
    expect(r.links[1]).toEqual({ target: '/lwm2m/1/0', attributes: {} })
    expect(rules('</lwm2m>;rt=oma.lwm2m')).toEqual(['12:link-format.unquoted'])
  })

  it('facts §2.8 ver: unquoted (1.1+) and quoted (1.0) both accepted; 1.0 output on request', () => {
    const r = parseLinkFormat('</3>;ver=1.1,</55>;ver="1.9"')
    expect(r.violations).toEqual([])
    expect(r.links.map((l) => l.attributes['ver'])).toEqual(['1.1', '1.9'])
    expect(formatLinkFormat(r.links)).toBe('</3>;ver=1.1,</55>;ver=1.9')
    expect(formatLinkFormat(r.links, { quoteVersions: true })).toBe('</3>;ver="1.1",</55>;ver="1.9"')
    expect(rules('</3>;ver=1')).toEqual(['9:link-format.not-version'])
  })

  it('facts §1 Gw-Enab-01: gateway Register list and an IoT Device Objects Corelnk value', () => {
    const reg = parseLinkFormat('</1/0>,</3/0>,</5/0>,</25/0>,</25/1>')
    expect(reg.violations).toEqual([])
    expect(reg.links.map((l) => l.path)).toEqual([[1, 0], [3, 0], [5, 0], [25, 0], [25, 1]])
    const corelnk = parseLinkFormat('</3/0>;ver=1.1,</3306/0>')
    expect(corelnk.links).toEqual([
      { target: '/3/0', path: [3, 0], attributes: { ver: '1.1' } },
      { target: '/3306/0', path: [3306, 0], attributes: {} }
    ])
  })

  it('facts §3.1 Bootstrap-Discover objects: </5> and </55>;ver=1.9', () => {
    expect(parseLinkFormat('</5>,</55>;ver=1.9')).toEqual({
      links: [
        { target: '/5', path: [5], attributes: {} },
        { target: '/55', path: [55], attributes: { ver: '1.9' } }
      ],
      violations: []
    })
  })

  it('facts §3.7 MQTT Register payload </1/0>,</3/0> and the single acc link </0/0>', () => {
    expect(parseLinkFormat('</1/0>,</3/0>').links.map((l) => l.path)).toEqual([[1, 0], [3, 0]])
    expect(parseLinkFormat('</0/0>')).toEqual({ links: [{ target: '/0/0', path: [0, 0], attributes: {} }], violations: [] })
  })

  it('facts §3.1 Bootstrap-Pack-Request acc: links without parameters', () => {
    expect(parseLinkFormat('</0/2>,</21/0>').links.map((l) => l.path)).toEqual([[0, 2], [21, 0]])
  })

  it('facts §3.1 / VER-04: LwM2M 1.0 bare lwm2m="1.0" is read as the root link, flagged', () => {
    const r = parseLinkFormat('lwm2m="1.0",</0/0>,</1/0>;ssid=1')
    expect(r.links[0]).toEqual({ target: '/', path: [], attributes: { lwm2m: '1.0' } })
    expect(r.links).toHaveLength(3)
    expect(r.violations.map((v) => v.rule)).toEqual(['link-format.legacy-lwm2m'])
  })

  it('facts §7: spec examples with spaces after commas and trailing slashes parse, flagged', () => {
    const r = parseLinkFormat('</>;lwm2m=1.2, </0/0/>, </1/0>;ssid=101')
    expect(r.links.map((l) => l.path)).toEqual([[], [0, 0], [1, 0]])
    expect(r.violations.map((v) => `${v.offset}:${v.rule}`)).toEqual([
      '14:link-format.whitespace',
      '16:link-format.trailing-slash',
      '23:link-format.whitespace'
    ])
  })

  it('facts §7: the Register figure missing a comma (</2/0></2/1>) still yields both links', () => {
    const r = parseLinkFormat('</2/0></2/1>')
    expect(r.links.map((l) => l.target)).toEqual(['/2/0', '/2/1'])
    expect(r.violations.map((v) => `${v.offset}:${v.rule}`)).toEqual(['6:link-format.missing-comma'])
  })

  it('C §6.3.2 Discover: dim on a multi-instance resource and notification attributes typed', () => {
    const r = parseLinkFormat('</3/0>;pmin=10;pmax=60,</3/0/7>;dim=2;gt=20.5;lt=-5;st=0.5;edge=1;con=0;hqmax=8;epmin=1;epmax=30')
    expect(r.violations).toEqual([])
    expect(r.links[1]?.attributes).toEqual({ dim: 2, gt: 20.5, lt: -5, st: 0.5, edge: 1, con: 0, hqmax: 8, epmin: 1, epmax: 30 })
  })
})

describe('CoRE Link Format parse: strict checks with offsets (RFC 6690 §2, facts §2.8)', () => {
  it('flags out-of-range dim, ssid, edge and con', () => {
    expect(rules('</1/0/1>;dim=65536')).toEqual(['13:link-format.out-of-range'])
    expect(rules('</1/0>;ssid=0,</1/1>;ssid=65535')).toEqual(['12:link-format.out-of-range', '26:link-format.out-of-range'])
    expect(rules('</3/0/1>;edge=2;con=3')).toEqual(['14:link-format.out-of-range', '20:link-format.out-of-range'])
    expect(rules('</3/0/1>;st=-1')).toEqual(['12:link-format.out-of-range'])
  })

  it('flags non-numbers, quoted numbers, missing values and duplicates', () => {
    expect(rules('</3/0>;pmin=ten')).toEqual(['12:link-format.not-integer'])
    expect(parseLinkFormat('</3/0>;pmin=ten').links[0]?.attributes).toEqual({ pmin: 'ten' })
    expect(rules('</3/0>;pmin="10"')).toEqual(['12:link-format.quoted-number'])
    expect(parseLinkFormat('</3/0>;pmin="10"').links[0]?.attributes).toEqual({ pmin: 10 })
    expect(rules('</3/0>;pmin')).toEqual(['11:link-format.missing-value'])
    expect(rules('</3/0>;gt=1e')).toEqual(['10:link-format.not-decimal'])
    expect(rules('</3/0>;pmin=1;pmin=2')).toEqual(['14:link-format.duplicate-attribute'])
    expect(parseLinkFormat('</3/0>;pmin=1;pmin=2').links[0]?.attributes).toEqual({ pmin: 1 })
  })

  it('keeps unknown parameters: valueless as true, values as text', () => {
    const r = parseLinkFormat('</a>;obs;title="x \\"y\\"";foo=bar')
    expect(r.violations).toEqual([])
    expect(r.links[0]?.attributes).toEqual({ obs: true, title: 'x "y"', foo: 'bar' })
  })

  it('flags broken syntax and still returns what it understood', () => {
    expect(rules('</1>;')).toEqual(['5:link-format.bad-param-name'])
    expect(rules('</1>;a=')).toEqual(['7:link-format.empty-value'])
    expect(rules('</1>,')).toEqual(['4:link-format.trailing-comma'])
    expect(rules('</1>, ')).toEqual(['4:link-format.trailing-comma', '5:link-format.whitespace'])
    expect(rules('</1')).toEqual(['0:link-format.unterminated-target'])
    expect(rules('</1>;a="b')).toEqual(['7:link-format.unterminated-quote'])
    expect(rules('</1 2>')).toEqual(['3:link-format.target-char'])
    expect(rules('junk,</2>')).toEqual(['0:link-format.expected-link'])
    expect(parseLinkFormat('junk,</2>').links.map((l) => l.target)).toEqual(['/2'])
    expect(rules('</1>x,</2>')).toEqual(['4:link-format.unexpected-char'])
    expect(parseLinkFormat('</1>x,</2>').links).toHaveLength(2)
  })

  it('an empty document is an empty list (RFC 6690 §2 link-value-list may be empty)', () => {
    expect(parseLinkFormat('')).toEqual({ links: [], violations: [] })
  })

  it('keeps a parameter named __proto__ as data', () => {
    const r = parseLinkFormat('</1>;__proto__=x')
    expect(Object.getPrototypeOf(r.links[0]?.attributes)).toBe(Object.prototype)
    expect(Object.keys(r.links[0]?.attributes ?? {})).toEqual(['__proto__'])
  })
})

describe('CoRE Link Format format (RFC 6690 §2)', () => {
  it('writes a path when no target is given, and escapes quoted strings', () => {
    expect(formatLinkFormat([{ path: [3, 0], attributes: { uri: 'a"b\\c', obs: true } }, { path: [] }])).toBe(
      '</3/0>;uri="a\\"b\\\\c";obs,</>'
    )
  })

  it('writes decimals positionally, never with an exponent', () => {
    expect(formatLinkFormat([{ path: [3, 0, 7], attributes: { gt: 1e-7, lt: -1e21, st: 0.5 } }])).toBe(
      '</3/0/7>;gt=0.0000001;lt=-1000000000000000000000;st=0.5'
    )
  })

  it('refuses what cannot be written', () => {
    expect(() => formatLinkFormat([{ target: '/a>b' }])).toThrow(EncodeError)
    expect(() => formatLinkFormat([{ target: '/a', attributes: { 'a b': true } }])).toThrow(EncodeError)
    expect(() => formatLinkFormat([{ target: '/a', attributes: { pmin: Number.NaN } }])).toThrow(EncodeError)
    expect(() => formatLinkFormat([{ attributes: {} }])).toThrow(EncodeError)
    expect(() => formatLinkFormat([{ target: '/a', attributes: { title: 'a\nb' } }])).toThrow(EncodeError)
  })
})

// ---- properties -------------------------------------------------------------------------------

const id = fc.integer({ min: 0, max: 65534 })
const pathArb: fc.Arbitrary<Path> = fc.oneof(
  fc.constant([] as Path),
  fc.tuple(id).map((p) => p as Path),
  fc.tuple(id, id).map((p) => p as Path),
  fc.tuple(id, id, id).map((p) => p as Path),
  fc.tuple(id, id, id, id).map((p) => p as Path)
)
const uriChars = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#[]@!$&\'()*+,;=%']
// A target that is not an LwM2M path: a letter right after the slash.
const otherTarget = fc
  .tuple(fc.constantFrom(...'abcxyzQ'), fc.array(fc.constantFrom(...uriChars), { maxLength: 12 }))
  .map(([c, rest]) => '/' + c + rest.join(''))
const parmChars = [...'abcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~']
const KNOWN = new Set(['ver', 'lwm2m', 'dim', 'ssid', 'uri', 'ct', 'rt', 'if', 'pmin', 'pmax', 'epmin', 'epmax', 'hqmax', 'edge', 'con', 'gt', 'lt', 'st'])
const unknownName = fc.array(fc.constantFrom(...parmChars), { minLength: 1, maxLength: 8 }).map((a) => a.join('')).filter((n) => !KNOWN.has(n))
const text = fc.string({ unit: 'grapheme', maxLength: 16 }).filter((s) => !/[\u0000-\u001f\u007f]/.test(s))
const decimal = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0))
const version = fc.tuple(fc.nat(99), fc.nat(99)).map(([a, b]) => `${a}.${b}`)

const knownAttrs: fc.Arbitrary<Record<string, LinkAttributeValue>> = fc.record(
  {
    ver: version,
    lwm2m: version,
    dim: fc.integer({ min: 0, max: 65535 }),
    ssid: fc.integer({ min: 1, max: 65534 }),
    uri: text,
    ct: fc.oneof(fc.integer({ min: 0, max: 65535 }), fc.array(fc.integer({ min: 0, max: 65535 }), { minLength: 1, maxLength: 4 })),
    rt: text,
    pmin: fc.nat(),
    pmax: fc.nat(),
    epmin: fc.nat(),
    epmax: fc.nat(),
    hqmax: fc.nat(),
    edge: fc.integer({ min: 0, max: 1 }),
    con: fc.integer({ min: 0, max: 1 }),
    gt: decimal,
    lt: decimal,
    st: decimal.map(Math.abs)
  },
  { requiredKeys: [] }
)
const attrsArb = fc
  .tuple(knownAttrs, fc.dictionary(unknownName, fc.oneof(fc.constant(true as const), text), { maxKeys: 3 }))
  .map(([k, u]) => ({ ...k, ...u }))

const linkArb: fc.Arbitrary<Link> = fc.oneof(
  fc.tuple(pathArb, attrsArb).map(([path, attributes]) => ({ target: formatPath(path), path, attributes })),
  fc.tuple(otherTarget, attrsArb).map(([target, attributes]) => ({ target, attributes }))
)

describe('CoRE Link Format properties (RFC 6690 §2)', () => {
  it('round trip: parse(format(links)) gives the links back, with no violation', () => {
    fc.assert(
      fc.property(fc.array(linkArb, { maxLength: 5 }), (links) => {
        const r = parseLinkFormat(formatLinkFormat(links))
        expect(r.violations).toEqual([])
        expect(r.links).toEqual(links)
      }),
      { numRuns: 500 }
    )
  })

  it('round trip with 1.0-style quoted versions', () => {
    fc.assert(
      fc.property(fc.array(linkArb, { maxLength: 3 }), (links) => {
        expect(parseLinkFormat(formatLinkFormat(links, { quoteVersions: true })).links).toEqual(links)
      })
    )
  })
})

const alphabet = [...'<>/;,="\\ 0123456789abcdefgilmnoprstuvx.-\t']
const mutation = fc.tuple(fc.nat(), fc.constantFrom('drop', 'insert', 'swap'), fc.constantFrom(...alphabet))

function mutate(doc: string, muts: [number, string, string][]): string {
  let s = doc
  for (const [at, op, c] of muts) {
    const k = s.length === 0 ? 0 : at % s.length
    s = op === 'drop' ? s.slice(0, k) + s.slice(k + 1) : op === 'insert' ? s.slice(0, k) + c + s.slice(k) : s.slice(0, k) + c + s.slice(k + 1)
  }
  return s
}

function checkTotal(input: string): void {
  const r = parseLinkFormat(input)
  const offsets = r.violations.map((v) => v.offset)
  expect(offsets).toEqual([...offsets].sort((x, y) => x - y))
  for (const v of r.violations) {
    expect(v.offset).toBeGreaterThanOrEqual(0)
    expect(v.offset).toBeLessThanOrEqual(input.length)
    expect(v.message.length).toBeGreaterThan(0)
  }
  // What parsed cleanly must format to something that parses to the same links.
  if (r.violations.length === 0) expect(parseLinkFormat(formatLinkFormat(r.links)).links).toEqual(r.links)
}

describe('CoRE Link Format fuzz: total on any input (RFC 6690 §2)', () => {
  it('random strings over the link alphabet never throw', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 60 }).map((a) => a.join('')), checkTotal), { numRuns: 2000 })
  })

  it('any unicode string never throws', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), checkTotal), { numRuns: 1000 })
  })

  it('mutated valid documents never throw', () => {
    fc.assert(
      fc.property(fc.array(linkArb, { minLength: 1, maxLength: 4 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (links, muts) =>
        checkTotal(mutate(formatLinkFormat(links), muts))
      ),
      { numRuns: 1000 }
    )
  })
})
