// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest'
import type { ObjectModel } from '../../../src-main/core/lwm2m/model'
import { compareVersions, ModelRegistry } from '../../../src-main/core/lwm2m/model/model-registry'

function model(id: number, version: string, name = `O${id} v${version}`): ObjectModel {
  return { id, name, version, lwm2mVersion: '1.0', urn: '', multiple: true, mandatory: false, resources: [] }
}

describe('model registry (C §7.2.2 ver= selects an object version)', () => {
  it('compares versions numerically', () => {
    expect(compareVersions('1.10', '1.2')).toBe(1)
    expect(compareVersions('1.2', '1.10')).toBe(-1)
    expect(compareVersions('2.0', '1.9')).toBe(1)
    expect(compareVersions('1.0', '1')).toBe(0)
  })

  it('returns the exact version when present, else the newest', () => {
    const r = new ModelRegistry()
    for (const v of ['1.10', '1.0', '1.2']) r.add(model(3, v), 'shipped')
    expect(r.get(3, '1.2')?.version).toBe('1.2')
    expect(r.get(3, '1.0')?.version).toBe('1.0')
    expect(r.get(3)?.version).toBe('1.10')
    expect(r.get(3, '9.9')?.version).toBe('1.10')
    expect(r.get(4)).toBeUndefined()
    expect(r.versions(3)).toEqual(['1.0', '1.2', '1.10'])
    expect(r.versions(4)).toEqual([])
  })

  it('lists the newest of each object by id', () => {
    const r = new ModelRegistry()
    r.add(model(5, '1.0'), 'shipped')
    r.add(model(1, '1.1'), 'shipped')
    r.add(model(1, '1.2'), 'shipped')
    expect(r.list().map((m) => `${m.id}@${m.version}`)).toEqual(['1@1.2', '5@1.0'])
    expect(r.all().map((m) => `${m.id}@${m.version}`)).toEqual(['1@1.1', '1@1.2', '5@1.0'])
    expect(r.size).toBe(3)
  })

  it('lets a user model override a shipped one of the same id and version, never the reverse', () => {
    const r = new ModelRegistry()
    expect(r.add(model(3, '1.1', 'shipped'), 'shipped')).toBe(true)
    expect(r.add(model(3, '1.1', 'mine'), 'user')).toBe(true)
    expect(r.get(3, '1.1')?.name).toBe('mine')
    expect(r.add(model(3, '1.1', 'shipped again'), 'shipped')).toBe(false)
    expect(r.entry(3, '1.1')).toMatchObject({ source: 'user', model: { name: 'mine' } })
    expect(r.versions(3)).toEqual(['1.1'])
  })
})
