// SPDX-License-Identifier: Apache-2.0
import { fileURLToPath } from 'node:url'
import { readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { findResource } from '../../../src-main/core/lwm2m/model'
import type { ObjectModel } from '../../../src-main/core/lwm2m/model'
import { parseDdf } from '../../../src-main/core/lwm2m/model/ddf'
import { compareVersions } from '../../../src-main/core/lwm2m/model/model-registry'

const REGISTRY = process.env['LWM2M_REGISTRY'] ?? fileURLToPath(new URL('../../fixtures/lwm2m-registry', import.meta.url))
const SHIPPED = join(import.meta.dirname, '../../../resources/models/models.json')
const OBJECT_FILE = /^[0-9]+(-[0-9]+_[0-9]+)?\.xml$/

function registryFiles(): string[] {
  return [
    ...readdirSync(REGISTRY).map((f) => join(REGISTRY, f)),
    ...readdirSync(join(REGISTRY, 'version_history')).map((f) => join(REGISTRY, 'version_history', f))
  ].filter((f) => f.endsWith('.xml'))
}

function ddf(resources: string, object = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<LWM2M><Object ObjectType="MODefinition">
  <Name>Test</Name><Description1>prose</Description1><ObjectID>3</ObjectID>
  <ObjectURN>urn:oma:lwm2m:oma:3:1.2</ObjectURN><LWM2MVersion>1.1</LWM2MVersion>
  <ObjectVersion>1.2</ObjectVersion><MultipleInstances>Single</MultipleInstances>
  <Mandatory>Mandatory</Mandatory>${object}
  <Resources>${resources}</Resources>
</Object></LWM2M>`
}

function item(id: number, type: string, ops = 'R', extra = ''): string {
  return `<Item ID="${id}"><Name>R${id}</Name><Operations>${ops}</Operations>
    <MultipleInstances>Multiple</MultipleInstances><Mandatory>Optional</Mandatory>
    <Type>${type}</Type><RangeEnumeration> 0..255 </RangeEnumeration><Units>s</Units>
    <Description><![CDATA[prose <b>]]></Description>${extra}</Item>`
}

describe('DDF import (C App. C Tbl C-1 types, OMA LWM2M.xsd)', () => {
  it('maps every DDF type name to the LwM2M data type', () => {
    const names = ['String', 'Integer', 'Unsigned Integer', 'Float', 'Boolean', 'Opaque', 'Time', 'Objlnk', 'Corelnk']
    const r = parseDdf(ddf(names.map((t, i) => item(i, t)).join('') + item(9, '', 'E')))
    expect(r.errors).toEqual([])
    expect(r.warnings).toEqual([])
    expect(r.models[0]?.resources.map((x) => x.type)).toEqual([
      'string', 'integer', 'unsigned', 'float', 'boolean', 'opaque', 'time', 'objlnk', 'corelnk', 'none'
    ])
  })

  it('keeps the facts and the descriptions as plain text (issue 13 item 20: people look models up)', () => {
    const r = parseDdf(ddf(item(7, 'Integer', 'RW')))
    expect(r.models).toEqual([
      {
        id: 3, name: 'Test', version: '1.2', lwm2mVersion: '1.1', urn: 'urn:oma:lwm2m:oma:3:1.2',
        multiple: false, mandatory: true, description: 'prose',
        resources: [
          { id: 7, name: 'R7', operations: 'RW', multiple: true, mandatory: false, type: 'integer', range: '0..255', units: 's', description: 'prose <b>' }
        ]
      }
    ])
  })

  it('names object and resource in an unknown-type error and drops that object', () => {
    const r = parseDdf(ddf(item(7, 'Foo')))
    expect(r.models).toEqual([])
    expect(r.errors).toEqual(["Object 3 resource 7: unknown Type 'Foo'"])
  })

  it('refuses bad operations, multiplicity and duplicate resource ids', () => {
    const r = parseDdf(ddf(item(1, 'String', 'RWX') + item(2, 'String').replace('Multiple<', 'Many<') + item(3, 'String') + item(3, 'String')))
    expect(r.errors).toEqual([
      "Object 3 resource 1: unknown Operations 'RWX'",
      "Object 3 resource 2: <MultipleInstances> 'Many' is neither Multiple nor Single",
      'Object 3: resource 3 is defined twice'
    ])
  })

  it('gives a malformed file an error with line and reason', () => {
    const r = parseDdf('<LWM2M><Object><Name>x</Nam></Object></LWM2M>')
    expect(r.models).toEqual([])
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]).toMatch(/^not well-formed XML at line 1, column \d+: .*Nam/)
  })

  it('says so when a file holds no object', () => {
    expect(parseDdf('<DDFList><Item/></DDFList>').errors).toEqual(['no <LWM2M><Object> element: not an object definition file'])
    expect(parseDdf('').errors).toHaveLength(1)
  })

  it('tolerates several objects in one file and an empty <Resources/>', () => {
    const two = ddf(item(0, 'String')).replace('</LWM2M>', '') +
      ddf('').replace(/^[\s\S]*?<LWM2M>/, '').replace('<ObjectID>3', '<ObjectID>4').replace('<Resources></Resources>', '<Resources/>')
    const r = parseDdf(two)
    expect(r.errors).toEqual([])
    expect(r.models.map((m) => [m.id, m.resources.length])).toEqual([[3, 1], [4, 0]])
  })

  it('defaults absent versions to 1.0 (the oldest DDFs carry none)', () => {
    const r = parseDdf(ddf(item(0, 'String')).replace('<LWM2MVersion>1.1</LWM2MVersion>', '').replace('<ObjectVersion>1.2</ObjectVersion>', '<ObjectVersion></ObjectVersion>'))
    expect(r.models[0]).toMatchObject({ version: '1.0', lwm2mVersion: '1.0' })
  })

  it('refuses an id beyond 65534 (65535 is reserved, C App. C)', () => {
    expect(parseDdf(ddf('').replace('<ObjectID>3', '<ObjectID>65535')).errors).toEqual([
      "Object 65535: <ObjectID> '65535' is not an id 0..65534"
    ])
  })

  it('imports every OMA registry object file (latest and version_history) without error', () => {
    const files = registryFiles()
    const objectFiles = files.filter((f) => OBJECT_FILE.test(basename(f)))
    // The three others are the catalogue, the reusable resources and the unit list: no objects.
    expect(files.filter((f) => !OBJECT_FILE.test(basename(f))).map((f) => basename(f)).sort()).toEqual([
      'Common.xml', 'DDF.xml', 'LWM2M_senml_units.xml'
    ])
    expect(objectFiles).toHaveLength(751)
    const errors: string[] = []
    const warnings: string[] = []
    const byKey = new Map<string, ObjectModel>()
    for (const f of objectFiles) {
      const r = parseDdf(readFileSync(f, 'utf8'))
      errors.push(...r.errors.map((e) => `${basename(f)}: ${e}`))
      warnings.push(...r.warnings.map((w) => `${basename(f)}: ${w}`))
      expect(r.models).toHaveLength(1)
      for (const m of r.models) {
        const key = `${m.id}@${m.version}`
        // A latest file and its version_history copy state the same facts.
        if (byKey.has(key)) expect(m).toEqual(byKey.get(key))
        else byKey.set(key, m)
      }
    }
    expect(errors).toEqual([])
    // Known registry defects: they import as stated, flagged.
    expect(warnings.sort()).toEqual([
      "10260-1_0.xml: Object 10260 resource 3: executable resource with Type 'String'",
      "10482-1_0.xml: Object 10482 resource 5: empty Type on a non-executable resource (Operations 'R'), taken as 'none'",
      "10482.xml: Object 10482 resource 5: empty Type on a non-executable resource (Operations 'R'), taken as 'none'"
    ])
    expect(byKey.size).toBe(424)
    // The committed models.json is exactly this (regenerate with scripts/generate-models.ts).
    const expected = [...byKey.values()].sort((a, b) => a.id - b.id || compareVersions(a.version, b.version))
    expect(JSON.parse(readFileSync(SHIPPED, 'utf8'))).toEqual(expected)
  })

  it('reads the Security and Server facts of facts §5 from the registry', () => {
    const sec = parseDdf(readFileSync(join(REGISTRY, '0.xml'), 'utf8')).models[0]
    expect(sec).toMatchObject({ id: 0, version: '1.2', multiple: true, mandatory: true })
    expect(sec && findResource(sec, 2)).toMatchObject({ name: 'Security Mode', operations: '', type: 'integer', range: '0..4' })
    const srv = parseDdf(readFileSync(join(REGISTRY, '1.xml'), 'utf8')).models[0]
    expect(srv && findResource(srv, 8)).toMatchObject({ operations: 'E', type: 'none' })
  })

  it('never throws on mutated DDF text (a user file can be anything)', () => {
    const base = readFileSync(join(REGISTRY, '3.xml'), 'utf8')
    const body = base.slice(base.indexOf('<LWM2M'))
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.nat(40), fc.string({ maxLength: 8 })), { maxLength: 4 }), (cuts) => {
        let s = body
        for (const [at, drop, insert] of cuts) {
          const k = at % (s.length + 1)
          s = s.slice(0, k) + insert + s.slice(k + drop)
        }
        const r = parseDdf(s)
        // Either it is still a model or there is a reason; never both empty.
        expect(r.models.length + r.errors.length).toBeGreaterThan(0)
        for (const m of r.models) {
          const ids = m.resources.map((x) => x.id)
          expect(ids).toEqual([...ids].sort((a, b) => a - b))
        }
      }),
      { numRuns: 300 }
    )
  })
})
