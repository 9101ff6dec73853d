// Payloads documented by other LwM2M implementations decode to the values they document.
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { decodePayload } from '../../../../src-main/core/lwm2m/formats/all'
import { toJsonRecord } from '../../../../src-main/core/lwm2m/json-record'
import { ModelRegistry } from '../../../../src-main/core/lwm2m/model/model-registry'
import type { ObjectModel } from '../../../../src-main/core/lwm2m/model'

const models = new ModelRegistry()
for (const m of JSON.parse(readFileSync(fileURLToPath(new URL('../../../../resources/models/models.json', import.meta.url)), 'utf8')) as ObjectModel[])
  models.add(m, 'shipped')

describe('C §7.5.6.1 legacy OMA JSON: the thermostat sample of node-lwm2m (npm "lwm2m" 0.13, examples/thermostat.js)', () => {
  // The sample as that project's example documents it; its comment gives the parsed values:
  // input 26.5 Cel, setpoint 24 Cel, output onOff true, dimmer 50, and three object links.
  const sample =
    '{"bn":"/","e":[' +
    '{"n":"8300/0/7100","ov":"3303:0"},' +
    '{"n":"8300/0/7101","ov":"3308:0"},' +
    '{"n":"8300/0/7102","ov":"3306:0"},' +
    '{"n":"3303/0/5700","v":26.5},' +
    '{"n":"3303/0/5701","sv":"Cel"},' +
    '{"n":"3306/0/5850","bv":true},' +
    '{"n":"3306/0/5851","v":50},' +
    '{"n":"3308/0/5900","v":24},' +
    '{"n":"3308/0/5701","sv":"Cel"}]}'

  it('decodes to the documented values, typed by the IPSO models', () => {
    const r = decodePayload(11543, new TextEncoder().encode(sample), { path: [], models })
    expect(r.violations).toEqual([])
    const byPath = new Map(r.records.map((x) => [toJsonRecord(x).path, toJsonRecord(x)]))
    expect(byPath.get('/3303/0/5700')).toEqual({ path: '/3303/0/5700', type: 'float', value: 26.5 })
    expect(byPath.get('/3303/0/5701')).toEqual({ path: '/3303/0/5701', type: 'string', value: 'Cel' })
    expect(byPath.get('/3306/0/5850')).toEqual({ path: '/3306/0/5850', type: 'boolean', value: true })
    expect(byPath.get('/3306/0/5851')).toEqual({ path: '/3306/0/5851', type: 'integer', value: 50 })
    expect(byPath.get('/3308/0/5900')).toEqual({ path: '/3308/0/5900', type: 'float', value: 24 })
    expect(byPath.get('/8300/0/7100')).toMatchObject({ type: 'objlnk', value: '3303:0' })
    expect(byPath.get('/8300/0/7102')).toMatchObject({ type: 'objlnk', value: '3306:0' })
  })
})
