// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest'
import { EncodeError } from '../../../../src-main/core/lwm2m/codec'
import { senmlJsonCodec } from '../../../../src-main/core/lwm2m/formats/senml-json'
import type { Lwm2mRecord } from '../../../../src-main/core/lwm2m/record'
import { MODELS, rules, utf8 } from './senml-models'

const ctx = { models: MODELS }
const decode = (text: string, c: object = ctx) => senmlJsonCodec.decode(utf8(text), c)
const encode = (records: Lwm2mRecord[]) => new TextDecoder().decode(senmlJsonCodec.encode(records, ctx))

describe('SenML JSON (RFC 8428 §5, C §7.5.6): facts §2.3', () => {
  it('the facts example pack, in JSON, both ways', () => {
    const text = '[{"bn":"/3/0/","n":"0","vs":"ACME"},{"n":"9","v":87},{"n":"22/0","vlo":"10:0"}]'
    const r = decode(text)
    expect(r).toEqual({
      records: [
        { path: [3, 0, 0], value: { type: 'string', value: 'ACME' } },
        { path: [3, 0, 9], value: { type: 'integer', value: 87 } },
        { path: [3, 0, 22, 0], value: { type: 'objlnk', value: { objectId: 10, instanceId: 0 } } }
      ],
      violations: []
    })
    expect(encode(r.records)).toBe(text)
  })
  it('a Bootstrap-Pack (facts §3.1): "/" base name allows several objects; vd is base64url unpadded', () => {
    const text =
      '[{"bn":"/0/1/","n":"0","vs":"coaps://s.example.com"},{"n":"1","vb":false},{"n":"3","vd":"aWQtMQ"},' +
      '{"n":"5","vd":"AAECAwQFBgcICQoLDA0ODw"},{"bn":"/1/0/","n":"0","v":101},{"n":"1","v":86400},{"n":"7","vs":"U"}]'
    const r = decode(text, {})
    expect(r.violations).toEqual([])
    expect(r.records.map((x) => '/' + x.path.join('/'))).toEqual(['/0/1/0', '/0/1/1', '/0/1/3', '/0/1/5', '/1/0/0', '/1/0/1', '/1/0/7'])
    expect(r.records[2]?.value).toEqual({ type: 'opaque', value: utf8('id-1') })
    expect(r.records[3]?.value).toEqual({ type: 'opaque', value: Uint8Array.from({ length: 16 }, (_, i) => i) })
    expect(encode(r.records)).toBe(text)
    const slash = decode('[{"bn":"/","n":"1/0/1","v":60},{"n":"3/0/9","v":5}]')
    expect(slash.records.map((x) => x.path)).toEqual([[1, 0, 1], [3, 0, 9]])
  })
  it('vd accepts padded and standard base64 on input (facts §7), with a warning', () => {
    const r = decode('[{"n":"/5/0/0","vd":"+/8="}]')
    expect(r.records[0]?.value).toEqual({ type: 'opaque', value: new Uint8Array([0xfb, 0xff]) })
    expect(r.violations).toMatchObject([{ rule: 'senml.non-canonical-base64', offset: 15 }])
    expect(encode(r.records)).toBe('[{"bn":"/5/0/","n":"0","vd":"-_8"}]')
    expect(rules(decode('[{"n":"/5/0/0","vd":"a*b"}]').violations)).toEqual(['senml.invalid-base64'])
  })
  it('v without a model: integer if integral, else float; 64-bit integers stay exact', () => {
    const r = decode('[{"n":"/9/0/0","v":3},{"n":"/9/0/1","v":2.5},{"n":"/9/0/2","v":-9223372036854775808},{"n":"/9/0/3","v":1e2}]', {})
    expect(r.records.map((x) => x.value)).toEqual([
      { type: 'integer', value: 3 },
      { type: 'float', value: 2.5 },
      { type: 'integer', value: -9223372036854775808n },
      { type: 'integer', value: 100 }
    ])
  })
  it('bt + t give the time, and the encoder writes t absolute', () => {
    const r = decode('[{"bn":"/3303/0/","bt":1700000000,"n":"5700","t":-5,"v":21.5},{"n":"5700","v":22}]')
    expect(r.records).toEqual([
      { path: [3303, 0, 5700], value: { type: 'float', value: 21.5 }, time: 1699999995 },
      { path: [3303, 0, 5700], value: { type: 'float', value: 22 }, time: 1700000000 }
    ])
    expect(r.violations).toEqual([])
    expect(encode(r.records)).toBe('[{"bn":"/3303/0/","n":"5700","t":1699999995,"v":21.5},{"n":"5700","t":1700000000,"v":22}]')
  })
  it('gateway prefix and escapes in strings', () => {
    const r = decode('[{"n":"/dev1/3/0/0","vs":"a\\"b\\u00fc"}]')
    expect(r).toEqual({ records: [{ path: [3, 0, 0], prefix: 'dev1', value: { type: 'string', value: 'a"bü' } }], violations: [] })
    expect(encode(r.records)).toBe('[{"bn":"/dev1/3/0/","n":"0","vs":"a\\"bü"}]')
  })
})

describe('SenML JSON: violations with character offsets', () => {
  it('missing name, invalid name, duplicate path', () => {
    expect(decode('[{"v":1}]').violations).toMatchObject([{ rule: 'senml.missing-name', offset: 1 }])
    expect(decode('[{"n":"/3/x/0","v":1}]').violations).toMatchObject([{ rule: 'senml.invalid-name', offset: 1 }])
    expect(decode('[{"n":"/3/0/65535","v":1}]').violations).toMatchObject([{ rule: 'senml.invalid-name', offset: 1 }])
    expect(decode('[{"n":"/3/0/9","v":1}, {"bn":"/3/0/","n":"9","v":2}]').violations).toMatchObject([{ rule: 'senml.duplicate-path', offset: 23 }])
  })
  it('duplicate paths are found whatever the order of the pack (issue 12 item A: ordered keys)', () => {
    const pack = (names: string[]) => '[' + names.map((n) => `{"n":"${n}","v":1}`).join(',') + ']'
    const dups = (names: string[]) =>
      decode(pack(names), {}).violations.filter((v) => v.rule === 'senml.duplicate-path').map((v) => v.message)
    expect(dups(['/3/0/1', '/3/0/2', '/3/1/1', '/4/0/1'])).toEqual([])
    expect(dups(['/3/0/1', '/3/0/2', '/3/0/2'])).toEqual(['/3/0/2 appears twice'])
    // The order breaks at /3/0/0: every path seen before still counts.
    expect(dups(['/3/0/1', '/3/1/5', '/3/0/0', '/3/0/1', '/3/1/5', '/3/0/0', '/3/2/0'])).toEqual([
      '/3/0/1 appears twice', '/3/1/5 appears twice', '/3/0/0 appears twice'
    ])
    // Object, instance and resource paths with the same ids are different paths.
    expect(dups(['/3', '/3/0', '/3/0/0', '/0/0/3', '/65534/65534/65534', '/3/0', '/65534/65534/65534'])).toEqual([
      '/3/0 appears twice', '/65534/65534/65534 appears twice'
    ])
  })
  it('duplicate labels, which JSON.parse would merge', () => {
    const r = decode('[{"n":"/3/0/9","v":1,"v":2}]')
    expect(r.violations).toMatchObject([{ rule: 'senml.duplicate-label', offset: 21 }])
    expect(r.records[0]?.value).toEqual({ type: 'integer', value: 1 })
  })
  it('several values, wrong kinds, wrong JSON types', () => {
    expect(decode('[{"n":"/3/0/9","v":1,"vs":"x"}]').violations).toMatchObject([{ rule: 'senml.multiple-values', offset: 21 }])
    expect(decode('[{"n":"/3/0/0","v":1}]').violations).toMatchObject([{ rule: 'senml.wrong-value-kind', offset: 15 }])
    expect(decode('[{"n":"/3/0/9","v":1.5}]').violations).toMatchObject([{ rule: 'senml.not-an-integer', offset: 15 }])
    expect(decode('[{"n":"/1/0/13","v":-1}]').violations).toMatchObject([{ rule: 'senml.out-of-range', offset: 16 }])
    expect(decode('[{"n":"/3/0/9","v":"1"}]').violations).toMatchObject([{ rule: 'senml.invalid-field', offset: 15 }])
    expect(decode('[{"n":"/3/0/22/0","vlo":"1-2"}]').violations).toMatchObject([{ rule: 'senml.invalid-objlnk', offset: 18 }])
  })
  it('unknown labels warn; labels ending in "_" must be understood; unused RFC labels warn', () => {
    const r = decode('[{"n":"/3/0/9","v":1,"foo":2,"bar_":3,"u":"%"}]')
    expect(r.violations).toMatchObject([
      { rule: 'senml.unknown-label', offset: 21 },
      { rule: 'senml.must-understand', offset: 29 },
      { rule: 'senml.unused-label', offset: 38 }
    ])
  })
  it('labels named like Object.prototype members are unknown labels too (RFC 8428 §4.4)', () => {
    for (const label of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__']) {
      const r = decode(`[{"n":"/3/0/9","v":1,"${label}":2}]`)
      // "__proto__" ends with "_": a must-understand label nobody here understands.
      const rule = label.endsWith('_') ? 'senml.must-understand' : 'senml.unknown-label'
      expect(r.violations).toMatchObject([{ rule, offset: 21 }])
      expect(r.records).toEqual([{ path: [3, 0, 9], value: { type: 'integer', value: 1 } }])
    }
  })
  it('labels are matched after unescaping: "\\u0076" is "v", and its duplicate is seen', () => {
    const r = decode('[{"n":"/3/0/9","\\u0076":1,"v":2}]')
    expect(r.violations).toMatchObject([{ rule: 'senml.duplicate-label', offset: 26 }])
    expect(r.records).toEqual([{ path: [3, 0, 9], value: { type: 'integer', value: 1 } }])
  })
  it('v: null belongs to ETCH only', () => {
    expect(rules(decode('[{"n":"/3/0/9","v":null}]').violations)).toEqual(['senml.null-value'])
  })
  it('syntax errors stop with json.syntax at the right character and keep earlier records', () => {
    const r = decode('[{"n":"/3/0/9","v":1},{"n":"/3/0/0" "vs":"x"}]')
    expect(r.violations).toMatchObject([{ rule: 'json.syntax', offset: 36 }])
    expect(r.records).toHaveLength(1)
    expect(decode('{"n":"/3/0/9"}').violations).toMatchObject([{ rule: 'senml.not-a-pack', offset: 0 }])
    expect(decode('[{"n":"/3/0/9","v":01}]').violations).toMatchObject([{ rule: 'json.syntax', offset: 20 }])
    expect(decode('[] x').violations).toMatchObject([{ rule: 'json.trailing', offset: 3 }])
  })
  it('truncation anywhere gives one json.syntax violation', () => {
    const text = '[{"bn":"/3/0/","n":"0","vs":"ACME"},{"n":"9","v":87}]'
    for (let cut = 1; cut < text.length; cut++) {
      const r = decode(text.slice(0, cut))
      expect(rules(r.violations)).toEqual(['json.syntax'])
    }
  })
  it('the encoder refuses values JSON cannot carry', () => {
    expect(() => encode([{ path: [3303, 0, 5700], value: { type: 'float', value: NaN } }])).toThrow(EncodeError)
    expect(() => encode([{ path: [3, 0, 9], value: { type: 'integer', value: 2n ** 63n } }])).toThrow(EncodeError)
  })
})

describe('SenML JSON: single and multiple resources per the model', () => {
  it('a value on a multiple resource without an instance, or an instance of a single resource, is reported', () => {
    expect(decode('[{"n":"/3/0/6","v":1}]').violations).toMatchObject([{ rule: 'senml.instances-expected', offset: 15 }])
    expect(decode('[{"n":"/3/0/9/0","v":1}]').violations).toMatchObject([{ rule: 'senml.not-multiple', offset: 17 }])
    expect(decode('[{"n":"/3/0/6/0","v":1},{"n":"/3/0/9","v":1}]').violations).toEqual([])
  })
})

describe('SenML JSON: ambiguities read both ways (facts §7)', () => {
  it('the null object link is read as 65535:65535 or FFFF:FFFF and written as 65535:65535', () => {
    const link = { type: 'objlnk', value: { objectId: 65535, instanceId: 65535 } }
    const r = decode('[{"n":"/1/0/10","vlo":"FFFF:FFFF"},{"n":"/3/0/22/0","vlo":"65535:65535"}]')
    expect(r).toEqual({ records: [{ path: [1, 0, 10], value: link }, { path: [3, 0, 22, 0], value: link }], violations: [] })
    expect(encode(r.records)).toBe('[{"bn":"/1/0/","n":"10","vlo":"65535:65535"},{"bn":"/3/0/","n":"22/0","vlo":"65535:65535"}]')
  })
})
