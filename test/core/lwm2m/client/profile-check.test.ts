// Profile checks (docs/simulator-profile.md): every problem points into the document with a JSON
// pointer, and any JSON comes back as problems, never as an exception.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { checkProfile, ddfRange, jsonPointer, profileValues, type ProfileProblem } from '../../../../src-main/core/lwm2m/client/profile-check'
import type { ProfileInstance } from '../../../../src-main/core/lwm2m/client/profile'
import type { ObjectModel } from '../../../../src-main/core/lwm2m/model'
import { ModelRegistry } from '../../../../src-main/core/lwm2m/model/model-registry'

const models = new ModelRegistry()
for (const m of JSON.parse(readFileSync(fileURLToPath(new URL('../../../../resources/models/models.json', import.meta.url)), 'utf8')) as ObjectModel[])
  models.add(m, 'shipped')

/** A profile with one /3303 instance holding `resources`, plus `extra` top-level fields. */
const temp = (resources: Record<string, unknown>, extra: Record<string, unknown> = {}): unknown => ({
  name: 't',
  objects: [{ id: 3303, instances: [{ id: 0, resources }] }],
  ...extra
})
const problems = (raw: unknown): ProfileProblem[] => checkProfile(raw, models).problems
const at = (raw: unknown): string[] => problems(raw).map((p) => p.path)
const RES = '/objects/0/instances/0/resources'

describe('checkProfile: a good profile', () => {
  it('passes and is returned as given', () => {
    const raw = temp({ 5700: { generator: { kind: 'sine', min: 18, max: 26, periodSeconds: 600 } }, 5701: 'Cel', 5601: 18.5 }, {
      lwm2mVersion: '1.2', format: 'senml-cbor', lifetime: 300, queueMode: { awakeSeconds: 93 },
      refuse: [{ operation: 'create', path: '/3303', code: '4.05' }],
      faults: [{ kind: 'drop', share: 0.1, direction: 'in' }, { kind: 'silent' }]
    })
    const r = checkProfile(raw, models)
    expect(r.problems).toEqual([])
    expect(r.profile).toBe(raw)
  })
})

describe('checkProfile: shape', () => {
  it('non-objects and missing fields are problems at the right pointer', () => {
    expect(at(null)).toEqual([''])
    expect(at([])).toEqual([''])
    expect(at({})).toEqual(['/name', '/objects'])
    expect(at({ name: 'x', objects: {} })).toEqual(['/objects'])
    expect(checkProfile({}, models).profile).toBeNull()
  })
  it('an unknown field is a problem (a typo would be ignored silently otherwise)', () => {
    const p = problems(temp({ 5700: { generator: { kind: 'sine', min: 0, max: 1, periodSecond: 5 } } }))
    expect(p.map((x) => x.path)).toEqual([`${RES}/5700/generator/periodSecond`, `${RES}/5700/generator/periodSeconds`])
    expect(at({ name: 'x', objects: [], extra: 1 })).toEqual(['/extra'])
  })
  it('lwm2mVersion and format are enums; a format needs the version that brought it (facts §2.1)', () => {
    expect(at(temp({}, { lwm2mVersion: 1.1 }))).toEqual(['/lwm2mVersion'])
    expect(at(temp({}, { format: 'json' }))).toEqual(['/format'])
    expect(problems(temp({}, { lwm2mVersion: '1.1', format: 'lwm2m-cbor' }))[0]?.message).toMatch(/only in LwM2M 1\.2/)
    expect(at(temp({}, { lwm2mVersion: '1.0', format: 'senml-json' }))).toEqual(['/format'])
    expect(at(temp({}, { lwm2mVersion: '1.0', format: 'tlv' }))).toEqual([])
  })
  it('lifetime and queueMode', () => {
    expect(at(temp({}, { lifetime: 0 }))).toEqual(['/lifetime'])
    expect(at(temp({}, { lifetime: 2.5 }))).toEqual(['/lifetime'])
    expect(at(temp({}, { queueMode: true }))).toEqual([])
    expect(at(temp({}, { queueMode: { awakeSeconds: 0 } }))).toEqual(['/queueMode/awakeSeconds'])
    expect(at(temp({}, { queueMode: 'yes' }))).toEqual(['/queueMode'])
  })
})

describe('checkProfile: ids and models', () => {
  it('ids are 0..65534; unknown objects and resources are named', () => {
    expect(at({ name: 'x', objects: [{ id: 65535, instances: [] }] })).toEqual(['/objects/0/id'])
    const unknown = problems({ name: 'x', objects: [{ id: 32000, instances: [] }] })
    expect(unknown).toEqual([{ path: '/objects/0/id', message: expect.stringMatching(/object 32000 has no model/) }])
    expect(problems(temp({ 5799: 1 }))[0]).toEqual({ path: `${RES}/5799`, message: expect.stringMatching(/Temperature .* has no resource 5799/) })
    expect(at(temp({ x: 1 }))).toEqual([`${RES}/x`])
  })
  it('/0 and /1 are not part of a profile', () => {
    expect(problems({ name: 'x', objects: [{ id: 1, instances: [] }] })[0]?.message).toMatch(/command line or from bootstrap/)
  })
  it('an object version must have a model', () => {
    expect(at({ name: 'x', objects: [{ id: 3303, version: '1.0', instances: [] }] })).toEqual([])
    expect(problems({ name: 'x', objects: [{ id: 3303, version: '1.7', instances: [] }] })[0]?.message).toMatch(/no model .* 1\.7; the newest known is 1\.1/)
    // Version 1.0 of /3303 has no resource 5518 (Timestamp), 1.1 has.
    const ts = (version?: string): string[] => at({ name: 'x', objects: [{ id: 3303, ...(version ? { version } : {}), instances: [{ id: 0, resources: { 5518: 1 } }] }] })
    expect(ts()).toEqual([])
    expect(ts('1.0')).toEqual([`${RES}/5518`])
  })
  it('duplicate object and instance ids; single-instance objects hold instance 0 only', () => {
    expect(at({ name: 'x', objects: [{ id: 3303, instances: [] }, { id: 3303, instances: [] }] })).toEqual(['/objects/1/id'])
    expect(at({ name: 'x', objects: [{ id: 3303, instances: [{ id: 0, resources: {} }, { id: 0, resources: {} }] }] })).toEqual(['/objects/0/instances/1/id'])
    expect(at({ name: 'x', objects: [{ id: 3, instances: [{ id: 1, resources: {} }] }] })).toEqual(['/objects/0/instances/0/id'])
    expect(at({ name: 'x', objects: [{ id: 3, instances: [{ id: 0, resources: {} }, { id: 0, resources: {} }] }] })).toEqual(['/objects/0/instances', '/objects/0/instances/1/id'])
  })
})

describe('checkProfile: values by type (C App. C Tbl C-1)', () => {
  const dev = (resources: Record<string, unknown>): string[] => at({ name: 'x', objects: [{ id: 3, instances: [{ id: 0, resources }] }] })
  const DEV = '/objects/0/instances/0/resources'
  it('string, integer, float, boolean, time', () => {
    expect(dev({ 0: 'ACME', 9: 80, 13: 1_700_000_000 })).toEqual([])
    expect(dev({ 0: 5 })).toEqual([`${DEV}/0`])
    expect(dev({ 9: 80.5 })).toEqual([`${DEV}/9`])
    expect(dev({ 13: '2024-01-01' })).toEqual([`${DEV}/13`])
    expect(at(temp({ 5700: '21' }))).toEqual([`${RES}/5700`])
    expect(at(temp({ 5700: 21 }))).toEqual([])
  })
  it('integers beyond 2^53 as decimal strings; the 64-bit range holds', () => {
    expect(dev({ 10: '9223372036854775807' })).toEqual([])
    expect(dev({ 10: '9223372036854775808' })).toEqual([`${DEV}/10`])
  })
  it('integer range from the DDF (Battery Level 0..100)', () => {
    expect(problems({ name: 'x', objects: [{ id: 3, instances: [{ id: 0, resources: { 9: 101 } }] }] })[0]?.message).toMatch(/101 is outside its range 0\.\.100/)
  })
  it('opaque as {hex} or {base64}, checked', () => {
    const loc = (v: unknown): string[] => at({ name: 'x', objects: [{ id: 6, instances: [{ id: 0, resources: { 4: v } }] }] })
    expect(loc({ hex: '0a1B' })).toEqual([])
    expect(loc({ base64: 'Chs=' })).toEqual([])
    expect(loc({ hex: '0a1' })).toHaveLength(1)
    expect(loc({ hex: 'zz' })).toHaveLength(1)
    expect(loc({ base64: 'C*s=' })).toHaveLength(1)
    expect(loc('0a1b')).toHaveLength(1)
    expect(loc({ hex: '00', base64: 'AA==' })).toHaveLength(1)
  })
  it('objlnk "OID:IID" in a multiple resource (ExtDevInfo /3/0/22)', () => {
    expect(dev({ 22: ['3303:0', '65535:65535'] })).toEqual([])
    expect(dev({ 22: ['3303:65535'] })).toEqual([`${DEV}/22/0`])
    expect(dev({ 22: ['3303-0'] })).toEqual([`${DEV}/22/0`])
  })
  it('multiple vs single: arrays or keyed objects only for multiple resources', () => {
    expect(dev({ 6: [1, 5], 7: { 0: 3800, 1: 5000 } })).toEqual([])
    expect(dev({ 6: 1 })).toEqual([`${DEV}/6`])
    expect(dev({ 7: { a: 1 } })).toEqual([`${DEV}/7/a`])
    expect(dev({ 6: [1, 9] })).toEqual([`${DEV}/6/1`])
    expect(dev({ 9: [80] })).toEqual([`${DEV}/9`])
    expect(dev({ 9: { 0: 80 } })).toEqual([`${DEV}/9`])
  })
  it('executable resources hold no value', () => {
    expect(problems({ name: 'x', objects: [{ id: 3, instances: [{ id: 0, resources: { 4: true } }] }] })[0]?.message).toMatch(/executable/)
  })
})

describe('checkProfile: generators', () => {
  const dev = (resources: Record<string, unknown>): string[] => at({ name: 'x', objects: [{ id: 3, instances: [{ id: 0, resources }] }] })
  const sw = (g: unknown): string[] => at({ name: 'x', objects: [{ id: 3342, instances: [{ id: 0, resources: { 5500: { generator: g } } }] }] })
  it('numbers move, Booleans flip, Time follows the clock', () => {
    expect(dev({ 9: { generator: { kind: 'walk', min: 20, max: 100, step: 1 } }, 13: { generator: { kind: 'clock' } } })).toEqual([])
    expect(dev({ 10: { generator: { kind: 'counter', step: 4, everySeconds: 60 }, intervalSeconds: 60 } })).toEqual([])
    expect(sw({ kind: 'toggle', everySeconds: 30 })).toEqual([])
    expect(sw({ kind: 'sine', min: 0, max: 1, periodSeconds: 5 })).toEqual(['/objects/0/instances/0/resources/5500/generator/kind'])
    expect(dev({ 13: { generator: { kind: 'counter', step: 1, everySeconds: 1 } } })).toHaveLength(1)
    expect(dev({ 0: { generator: { kind: 'clock' } } })).toHaveLength(1)
    expect(at(temp({ 5700: { generator: { kind: 'toggle', everySeconds: 1 } } }))).toHaveLength(1)
  })
  it('parameters: min <= max, positive periods, whole steps on integers, within the DDF range', () => {
    expect(at(temp({ 5700: { generator: { kind: 'sine', min: 5, max: 1, periodSeconds: 10 } } }))).toEqual([`${RES}/5700/generator/max`])
    expect(at(temp({ 5700: { generator: { kind: 'sine', min: 1, max: 5, periodSeconds: 0 } } }))).toEqual([`${RES}/5700/generator/periodSeconds`])
    expect(at(temp({ 5700: { generator: { kind: 'walk', min: 1, max: 5, step: -1 } } }))).toEqual([`${RES}/5700/generator/step`])
    expect(dev({ 10: { generator: { kind: 'counter', step: 0.5, everySeconds: 1 } } })).toEqual([`/objects/0/instances/0/resources/10/generator/step`])
    expect(dev({ 9: { generator: { kind: 'walk', min: 0, max: 120, step: 1 } } })).toEqual([`/objects/0/instances/0/resources/9/generator/max`])
    expect(at(temp({ 5700: { generator: { kind: 'wave' } } }))).toEqual([`${RES}/5700/generator`])
    expect(at(temp({ 5700: { generator: { kind: 'clock' }, intervalSeconds: -1 } }))).toHaveLength(2)
  })
  it('no generators on multiple resources', () => {
    expect(dev({ 7: { generator: { kind: 'walk', min: 0, max: 1, step: 1 } } })[0]).toBe('/objects/0/instances/0/resources/7')
  })
})

describe('checkProfile: refusals (DMSE-01) and faults', () => {
  const refuse = (r: unknown): string[] => at(temp({}, { refuse: [r] }))
  it('refusal codes are class 4 or 5 as "4.05"/"5.00"', () => {
    expect(refuse({ operation: 'delete', path: '/3303/0', code: '4.01' })).toEqual([])
    expect(refuse({ operation: 'write', path: '/3/0/13', code: '5.03' })).toEqual([])
    for (const code of ['2.04', '4.5', '405', 4.05, '6.00', '4.32']) expect(refuse({ operation: 'read', path: '/3', code })).toEqual(['/refuse/0/code'])
  })
  it('operation, path and Create on an object only', () => {
    expect(refuse({ operation: 'fetch', path: '/3', code: '4.05' })).toEqual(['/refuse/0/operation'])
    expect(refuse({ operation: 'read', path: '/3/x', code: '4.05' })).toEqual(['/refuse/0/path'])
    expect(refuse({ operation: 'read', path: '/3/0/99', code: '4.05' })).toEqual(['/refuse/0/path'])
    expect(refuse({ operation: 'read', path: '/32000', code: '4.05' })).toEqual(['/refuse/0/path'])
    expect(refuse({ operation: 'create', path: '/3303/0', code: '4.05' })).toEqual(['/refuse/0/path'])
    expect(refuse({ operation: 'read', path: '/', code: '4.05' })).toEqual([])
  })
  it('faults by kind; shares are 0..1', () => {
    const fault = (f: unknown): string[] => at(temp({}, { faults: [f] }))
    expect(fault({ kind: 'error', path: '/3/0/13', code: '5.00', operation: 'read' })).toEqual([])
    expect(fault({ kind: 'malformed', share: 0.2 })).toEqual([])
    expect(fault({ kind: 'delay', share: 1, ms: 1500 })).toEqual([])
    expect(fault({ kind: 'drop', share: 1.5 })).toEqual(['/faults/0/share'])
    expect(fault({ kind: 'drop', share: -0.1 })).toEqual(['/faults/0/share'])
    expect(fault({ kind: 'drop' })).toEqual(['/faults/0/share'])
    expect(fault({ kind: 'drop', share: 0.1, direction: 'up' })).toEqual(['/faults/0/direction'])
    expect(fault({ kind: 'error', path: '/3/0/13', code: '2.05' })).toEqual(['/faults/0/code'])
    expect(fault({ kind: 'delay', share: 0.5, ms: -1 })).toEqual(['/faults/0/ms'])
    expect(fault({ kind: 'silent', share: 1 })).toEqual(['/faults/0/share'])
    expect(fault({ kind: 'flood' })).toEqual(['/faults/0'])
  })
})

describe('checkProfile is total', () => {
  it('never throws on any JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = checkProfile(v, models)
        expect(r.profile === null).toBe(r.problems.length > 0)
      })
    )
  })
  it('never throws on profile-shaped JSON with random leaves', () => {
    const leaf = fc.jsonValue({ maxDepth: 2 })
    const raw = fc.record({
      name: fc.oneof(fc.string(), leaf),
      objects: fc.array(fc.record({
        id: fc.oneof(fc.constantFrom(3, 3303, 3342, 6, 25), leaf),
        instances: fc.oneof(fc.array(fc.record({ id: fc.oneof(fc.nat(3), leaf), resources: fc.dictionary(fc.constantFrom('0', '6', '13', '22', '5700', '5500', 'x'), leaf) })), leaf)
      })),
      refuse: fc.array(fc.record({ operation: leaf, path: fc.oneof(fc.string(), leaf), code: leaf })),
      faults: fc.array(fc.dictionary(fc.constantFrom('kind', 'share', 'path', 'code', 'ms'), leaf))
    }, { requiredKeys: [] })
    fc.assert(fc.property(raw, (v) => void checkProfile(v, models)))
  })
})

describe('profileValues', () => {
  const device = models.get(3) as ObjectModel
  it('types each value by the model; generators give their value at t = 0', () => {
    const inst: ProfileInstance = {
      id: 0,
      resources: {
        0: 'ACME', 9: { generator: { kind: 'walk', min: 20, max: 100, step: 1 } },
        6: [1, 5], 7: { 0: 3800, 2: 5000 }, 13: { generator: { kind: 'clock' } }, 22: ['3303:0']
      }
    }
    const v = profileValues(inst, device, 1_700_000_000)
    expect(v.get(0)).toEqual({ type: 'string', value: 'ACME' })
    expect(v.get(9)).toEqual({ type: 'integer', value: 60 })
    expect(v.get(6)).toEqual(new Map([[0, { type: 'integer', value: 1 }], [1, { type: 'integer', value: 5 }]]))
    expect(v.get(7)).toEqual(new Map([[0, { type: 'integer', value: 3800 }], [2, { type: 'integer', value: 5000 }]]))
    expect(v.get(13)).toEqual({ type: 'time', value: 1_700_000_000 })
    expect(v.get(22)).toEqual(new Map([[0, { type: 'objlnk', value: { objectId: 3303, instanceId: 0 } }]]))
  })
  it('opaque from hex or base64; sine at t = 0 is min; toggle starts false', () => {
    const loc = profileValues({ id: 0, resources: { 4: { hex: '0a1b' }, 0: { generator: { kind: 'sine', min: 10, max: 20, periodSeconds: 60 } } } }, models.get(6) as ObjectModel)
    expect(loc.get(4)).toEqual({ type: 'opaque', value: new Uint8Array([0x0a, 0x1b]) })
    expect(loc.get(0)).toEqual({ type: 'float', value: 10 })
    const sw = profileValues({ id: 0, resources: { 5500: { generator: { kind: 'toggle', everySeconds: 5 } } } }, models.get(3342) as ObjectModel)
    expect(sw.get(5500)).toEqual({ type: 'boolean', value: false })
  })
  it('leaves out what does not fit instead of failing', () => {
    const bad = { id: 0, resources: { 0: 5, 4: true, 9999: 1, x: 1, 6: 'no', 9: { generator: null } } } as unknown as ProfileInstance
    const v = profileValues(bad, device)
    expect([...v.keys()]).toEqual([6])
    expect(v.get(6)).toEqual(new Map())
  })
})

describe('helpers', () => {
  it('jsonPointer escapes ~ and / (RFC 6901 §3)', () => {
    expect(jsonPointer(['objects', 2, 'a/b~c'])).toBe('/objects/2/a~1b~0c')
    expect(jsonPointer([])).toBe('')
  })
  it('ddfRange reads the clear DDF spellings and skips the unclear ones', () => {
    expect(ddfRange('0..100')).toEqual([[0, 100]])
    expect(ddfRange('0-7')).toEqual([[0, 7]])
    expect(ddfRange('1...15')).toEqual([[1, 15]])
    expect(ddfRange('-30..46')).toEqual([[-30, 46]])
    expect(ddfRange('0..3, 99')).toEqual([[0, 3], [99, 99]])
    expect(ddfRange('0; 3.8..20.5')).toEqual([[0, 0], [3.8, 20.5]])
    for (const unclear of ['', '255', '8 bit', '2 Instances', '-30..-120', 'ON;OFF', '[1:4]']) expect(ddfRange(unclear)).toBeNull()
  })
})
