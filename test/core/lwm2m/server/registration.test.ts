// SPDX-License-Identifier: Apache-2.0
// The Register query and object list (T §6.4.3, C §6.2.1).
import { describe, expect, it } from 'vitest'
import { checkBinding, parseObjectList, parseRegisterQuery } from '../../../../src-main/core/lwm2m/server/registration'

describe('binding letters (LwM2M-TRAN-BIND, T §6.4.3)', () => {
  it.each([
    ['U', '1.1', null],
    ['UT', '1.1', null],
    ['UQ', '1.0', null],
    ['UU', '1.1', 'binding "UU" repeats a letter'],
    ['UTSU', '1.2', 'binding "UTSU" repeats a letter'],
    ['M', '1.1', 'binding letter "M" is not one of U, T, S, N (LwM2M 1.1)'],
    ['M', '1.2', null],
    ['', '1.1', 'binding is empty']
  ])('%j for %s: %j', (b, v, problem) => {
    expect(checkBinding(b, v)).toBe(problem)
  })
})

describe('Register query', () => {
  it('takes the known parameters and refuses an unknown one', () => {
    expect(parseRegisterQuery(['ep=a', 'lt=60', 'lwm2m=1.2', 'b=U', 'Q'])).toMatchObject({ ok: true, params: { endpoint: 'a', lifetime: 60, queueMode: true } })
    expect(parseRegisterQuery(['ep=a', 'lwm2m=1.1', 'x=1'])).toMatchObject({ ok: false, reason: 'unknown parameter "x"' })
  })
})

describe('object list (C §6.2.1)', () => {
  it('reads objects and instances, versions, the root ct, and still reads odd spellings the strict path refuses', () => {
    const l = parseObjectList('</>;ct=110,</1>;ver=1.2,</1/0>,</3/0/>,</03/1>')
    expect(l.contentFormats).toEqual([110])
    expect(l.objects).toEqual([
      { objectId: 1, instanceId: null, version: '1.2' },
      { objectId: 1, instanceId: 0, version: null },
      { objectId: 3, instanceId: 0, version: null },
      { objectId: 3, instanceId: 1, version: null }
    ])
    // Read, and still named: the strict link parser's finding stays with the list.
    expect(l.violations.map((v) => v.rule)).toEqual(['link-format.trailing-slash'])
  })

  it('C §7.1 (16-bit ids, 65535 reserved): leaves out links it cannot address and says why — an id out of range, a resource link, a duplicate', () => {
    const text = '</3/0>,</3303/65535>,</3/0/1>,</70000>,</3303/7>,</3/0>,</3303/42>'
    const l = parseObjectList(text)
    expect(l.objects.map((o) => `${o.objectId}/${o.instanceId}`)).toEqual(['3/0', '3303/7', '3303/42'])
    expect(l.violations.map((v) => [v.rule, v.offset])).toEqual([
      ['register.id-out-of-range', text.indexOf('</3303/65535>')],
      ['register.not-object-link', text.indexOf('</3/0/1>')],
      ['register.id-out-of-range', text.indexOf('</70000>')],
      ['register.duplicate-link', text.lastIndexOf('</3/0>')]
    ])
    expect(l.violations[0]?.message).toMatch(/instance id 65535 is outside 0\.\.65534/)
  })

  it('reads objects under an alternate path', () => {
    const l = parseObjectList('</lwm2m>;rt="oma.lwm2m";ct=11543,</lwm2m/3/0>')
    expect(l.alternatePath).toBe('lwm2m')
    expect(l.objects).toEqual([{ objectId: 3, instanceId: 0, version: null }])
  })
})
