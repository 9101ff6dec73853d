// Pure helpers of the device page (issue 13 items 1, 4, 5, 6, 12): which actions need a
// confirmation, failures in plain words, resource names and units, Discover links.
import { describe, expect, it } from 'vitest'
import { confirmTitle, dangerFor } from '../../src-renderer/components/devices/dangerous-actions'
import { hexToText, parseLinks } from '../../src-renderer/components/devices/discover-links'
import { plainFailure } from '../../src-renderer/components/devices/request-failure'
import { resourceInfo, seriesLabel } from '../../src-renderer/components/devices/resource-info'

describe('dangerous actions', () => {
  it('Reboot, Factory Reset, Update, Bootstrap-Request trigger and instance Delete need a confirmation', () => {
    expect(dangerFor('Execute', '/3/0/4')?.action).toBe('Reboot')
    expect(dangerFor('Execute', '/3/0/5')?.action).toBe('Factory Reset')
    expect(dangerFor('Execute', '/5/0/2')?.action).toBe('Update firmware')
    expect(dangerFor('Execute', '/1/7/9')?.action).toBe('Bootstrap-Request')
    expect(dangerFor('Delete', '/3303/1')?.action).toBe('Delete instance')
    expect(dangerFor('Execute', '/dev1/3/0/4')?.action).toBe('Reboot') // behind a gateway
  })
  it('harmless actions go straight through', () => {
    expect(dangerFor('Execute', '/1/0/8')).toBeNull() // Registration Update Trigger
    expect(dangerFor('Read', '/3/0/4')).toBeNull()
    expect(dangerFor('Execute', '/3/0/40')).toBeNull()
  })
  it('the question names the action, the device and the path', () => {
    const rule = dangerFor('Execute', '/3/0/4')
    expect(rule && confirmTitle(rule, 'dev1', '/3/0/4')).toBe('Reboot dev1 (/3/0/4)?')
  })
})

describe('failures in plain words', () => {
  const noQueue = { queueMode: false, lwm2mVersion: '1.1' }
  it('a timeout says how long, and that queue mode is off', () => {
    const f = plainFailure({ code: 'devices.timeout', message: 'no answer from the device within 30 s', details: { timeoutMs: 30_000, acknowledged: false } }, noQueue)
    expect(f.sentence).toBe('No answer from the device after 30 s.')
    expect(f.hint).toContain('queue mode is off for this device')
    expect(f.sentence + f.hint).not.toContain('devices.')
  })
  it('a queue-mode device is said to be asleep', () => {
    const f = plainFailure({ code: 'devices.timeout', message: 'x', details: { timeoutMs: 5000 } }, { queueMode: true, lwm2mVersion: '1.1' })
    expect(f.hint).toContain('queue mode')
    expect(f.hint).toContain('sleep')
  })
  it('an acknowledged request without answer points at the timeline', () => {
    const f = plainFailure({ code: 'devices.timeout', message: 'x', details: { timeoutMs: 2500, acknowledged: true } }, noQueue)
    expect(f.sentence).toBe('The device acknowledged the request but sent no answer after 2.5 s.')
    expect(f.hint).toContain('timeline')
  })
  it('other errors read as sentences without a code', () => {
    expect(plainFailure({ code: 'devices.not_registered', message: 'no device "a" is registered' }, null).sentence).toBe('The device is not registered any more.')
    expect(plainFailure({ code: 'devices.invalid_request', message: 'path: bad' }, null).sentence).toBe('The request was not sent: path: bad.')
    expect(plainFailure({ code: 'devices.cancelled', message: 'cancelled after it was sent: the device may still carry it out' }, null).sentence).toBe('Cancelled after it was sent: the device may still carry it out.')
  })
})

describe('resource names and units', () => {
  const models = new Map([[3303, { model: { name: 'Temperature', resources: [{ id: 5700, name: 'Sensor Value', units: 'Cel' }, { id: 5701, name: 'Sensor Units', units: '' }] } }]])
  it('names a resource and its unit, also for a resource instance', () => {
    expect(resourceInfo(models, '/3303/0/5700')).toEqual({ name: 'Sensor Value', units: 'Cel' })
    expect(resourceInfo(models, '/3303/0/5700/2')?.name).toBe('Sensor Value')
    expect(resourceInfo(models, '/3303/0')).toBeNull()
  })
  it('labels a plot series with name, path and unit', () => {
    expect(seriesLabel(models, '/3303/0/5700')).toBe('Sensor Value (/3303/0/5700) Cel')
    expect(seriesLabel(models, '/3303/0/5701')).toBe('Sensor Units (/3303/0/5701)')
    expect(seriesLabel(models, '/9/0/1')).toBe('/9/0/1')
  })
})

describe('Discover links', () => {
  it('parses paths and attributes, commas in quotes included', () => {
    const text = '</3/0>;pmin=10,</3/0/1>,</3/0/7>;dim=2;title="a,b"'
    expect(parseLinks(text)).toEqual([
      { path: '/3/0', attributes: ['pmin=10'] },
      { path: '/3/0/1', attributes: [] },
      { path: '/3/0/7', attributes: ['dim=2', 'title="a,b"'] }
    ])
    expect(hexToText('3c2f333e')).toBe('</3>')
  })
})
