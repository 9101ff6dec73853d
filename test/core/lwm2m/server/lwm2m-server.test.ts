// The LwM2M Server role with a fake clock and a scripted device link (the CoAP endpoint under it
// is tested on its own and end to end over real UDP in test/main).
import { beforeEach, describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { ModelRegistry } from '../../../../src-main/core/lwm2m/model/model-registry'
import type { ObjectModel } from '../../../../src-main/core/lwm2m/model'
import { Lwm2mServer, type ServerEvent } from '../../../../src-main/core/lwm2m/server/lwm2m-server'
import type { DeviceLink, DownlinkRequest, DownlinkResponse, UplinkRequest } from '../../../../src-main/core/lwm2m/server/messages'
import type { PeerAddress } from '../../../../src-main/core/ports'
import { FakeScheduler, SeededRandom } from '../../../helpers/fake-scheduler'

const models = new ModelRegistry()
for (const m of JSON.parse(readFileSync(fileURLToPath(new URL('../../../../resources/models/models.json', import.meta.url)), 'utf8')) as ObjectModel[])
  models.add(m, 'shipped')

const PEER: PeerAddress = { key: 'udp:127.0.0.1:40000', display: '127.0.0.1:40000' }
const enc = (s: string) => new TextEncoder().encode(s)
const hex = (h: string) => Uint8Array.from(h.match(/../g)!.map((b) => parseInt(b, 16)))

/** A device that answers from a script and records what it was asked. */
class ScriptedDevice implements DeviceLink {
  sent: DownlinkRequest[] = []
  answer: (req: DownlinkRequest) => DownlinkResponse = () => ({ code: 69, contentFormat: null, payload: new Uint8Array(), observe: null, locationPath: [] })
  notify: ((n: DownlinkResponse) => void) | null = null
  async send(_peer: PeerAddress, req: DownlinkRequest) {
    this.sent.push(req)
    return this.answer(req)
  }
  async observe(_peer: PeerAddress, req: DownlinkRequest, onNotification: (n: DownlinkResponse) => void) {
    this.sent.push(req)
    this.notify = onNotification
    return { first: { ...this.answer(req), observe: 1 }, cancel: async () => { this.notify = null } }
  }
}

let clock: FakeScheduler
let device: ScriptedDevice
let events: ServerEvent[]
let server: Lwm2mServer
const uplink = (method: UplinkRequest['method'], path: string, query: string[], payload = '', contentFormat: number | null = 40): UplinkRequest => ({
  peer: PEER,
  method,
  path: path.split('/').filter(Boolean),
  query,
  contentFormat: payload ? contentFormat : null,
  payload: enc(payload)
})
const REGISTER = uplink('POST', '/rd', ['ep=dev1', 'lt=60', 'lwm2m=1.1', 'b=U'], '</1>;ver=1.1,</1/0>,</3/0>')

beforeEach(() => {
  clock = new FakeScheduler()
  device = new ScriptedDevice()
  events = []
  server = new Lwm2mServer({ link: device, scheduler: clock, random: new SeededRandom(7), models, onEvent: (e) => e.type !== 'timeline' && e.type !== 'queue' && events.push(e), knownProfiles: new Set(['acme-meter-1']) })
})

describe('Register (C §6.2.1, T §6.4.3)', () => {
  it('answers 2.01 with Location-Path rd/{id} and keeps the parameters', () => {
    const res = server.handle(REGISTER)
    expect(res.code).toBe(65)
    expect(res.locationPath?.[0]).toBe('rd')
    const r = server.registrations.byEndpoint('dev1')
    expect(r).toMatchObject({ lifetime: 60, lwm2mVersion: '1.1', binding: 'U', queueMode: false, id: res.locationPath?.[1] })
    expect(r?.objects.map((o) => [o.objectId, o.instanceId, o.version])).toEqual([[1, null, '1.1'], [1, 0, null], [3, 0, null]])
    expect(events[0]).toMatchObject({ type: 'registered', replaced: false })
  })
  it('VER-01..04: an unsupported LwM2M version gets 4.12', () => {
    expect(server.handle(uplink('POST', '/rd', ['ep=x', 'lt=60', 'lwm2m=1.3'], '</3/0>')).code).toBe(140)
    expect(server.handle(uplink('POST', '/rd', ['ep=x', 'lt=60', 'lwm2m=2.0'], '</3/0>')).code).toBe(140)
    for (const v of ['1.0', '1.1', '1.2', '1.2.1', '1.2.2'])
      expect(server.handle(uplink('POST', '/rd', [`ep=v${v}`, 'lt=60', `lwm2m=${v}`], '</3/0>')).code, v).toBe(65)
  })
  it('LwM2M-Ident-01/02: a known pid may stand for the object list; an unknown one without a list gets 4.09', () => {
    expect(server.handle(uplink('POST', '/rd', ['ep=m1', 'lt=60', 'lwm2m=1.2', 'pid=acme-meter-1'])).code).toBe(65)
    expect(server.handle(uplink('POST', '/rd', ['ep=m2', 'lt=60', 'lwm2m=1.2', 'pid=nobody-knows'])).code).toBe(137)
    expect(server.handle(uplink('POST', '/rd', ['ep=m3', 'lt=60', 'lwm2m=1.2', 'pid=nobody-knows'], '</3/0>')).code).toBe(65)
    expect(server.handle(uplink('POST', '/rd', ['ep=m4', 'lt=60', 'lwm2m=1.1', 'pid=acme-meter-1'], '</3/0>')).code).toBe(128)
  })
  it('4.00 for a missing ep, a bad lifetime, a bad binding and a repeated parameter', () => {
    for (const q of [['lt=60', 'lwm2m=1.1'], ['ep=a', 'lt=soon', 'lwm2m=1.1'], ['ep=a', 'lwm2m=1.1', 'b=UU'], ['ep=a', 'lwm2m=1.0', 'b=T'], ['ep=a', 'ep=b', 'lwm2m=1.1'], ['ep=a', 'lwm2m=1.1', 'x=1']])
      expect(server.handle(uplink('POST', '/rd', q, '</3/0>')).code, q.join('&')).toBe(128)
  })
  it('binding forms: 1.0 "UQ" means queue mode; 1.1+ uses the Q flag (T §6.4.3)', () => {
    server.handle(uplink('POST', '/rd', ['ep=old', 'lt=60', 'lwm2m=1.0', 'b=UQ'], '</3/0>'))
    server.handle(uplink('POST', '/rd', ['ep=new', 'lt=60', 'lwm2m=1.2', 'b=UT', 'Q'], '</3/0>'))
    expect(server.registrations.byEndpoint('old')?.queueMode).toBe(true)
    expect(server.registrations.byEndpoint('new')).toMatchObject({ queueMode: true, binding: 'UT' })
  })
  it('alternate path and content formats from the root link (C §6.2.1)', () => {
    server.handle(uplink('POST', '/rd', ['ep=alt', 'lt=60', 'lwm2m=1.1'], '</lwm2m>;rt="oma.lwm2m";ct=11543,</lwm2m/1/0>,</lwm2m/3/0>'))
    const r = server.registrations.byEndpoint('alt')
    expect(r).toMatchObject({ alternatePath: 'lwm2m', contentFormats: [11543] })
    expect(r?.objects.map((o) => o.objectId)).toEqual([1, 3])
  })
  it('a new Register from the same endpoint replaces the old registration', () => {
    const a = server.handle(REGISTER)
    const b = server.handle(REGISTER)
    expect(a.locationPath?.[1]).not.toBe(b.locationPath?.[1])
    expect(server.registrations.size).toBe(1)
    expect(events.map((e) => e.type)).toEqual(['registered', 'deregistered', 'registered'])
  })
})

describe('Update, De-register, lifetime', () => {
  it('Update refreshes the lifetime; without it the registration expires', () => {
    const id = server.handle(REGISTER).locationPath?.[1] as string
    clock.advance(50_000)
    expect(server.handle(uplink('POST', `/rd/${id}`, ['lt=120'])).code).toBe(68)
    clock.advance(100_000)
    expect(server.registrations.byEndpoint('dev1')).toBeDefined()
    clock.advance(30_000)
    expect(server.registrations.byEndpoint('dev1')).toBeUndefined()
    expect(events.at(-1)).toMatchObject({ type: 'deregistered', reason: 'expired' })
  })
  it('Update or De-register of an unknown registration gets 4.04 (the client must register again)', () => {
    expect(server.handle(uplink('POST', '/rd/nope', [])).code).toBe(132)
    expect(server.handle(uplink('DELETE', '/rd/nope', [])).code).toBe(132)
  })
  it('De-register answers 2.02 and forgets the device', () => {
    const id = server.handle(REGISTER).locationPath?.[1] as string
    expect(server.handle(uplink('DELETE', `/rd/${id}`, [])).code).toBe(66)
    expect(server.registrations.size).toBe(0)
  })
})

describe('Device Management (C §6.3)', () => {
  beforeEach(() => void server.handle(REGISTER))
  it('Read decodes the answer with the model at the announced version', async () => {
    device.answer = () => ({ code: 69, contentFormat: 11542, payload: hex('c2010e10c10755'), observe: null, locationPath: [] })
    const r = await server.read('dev1', [1, 0])
    expect(device.sent[0]).toMatchObject({ method: 'GET', path: ['1', '0'] })
    expect(r).toMatchObject({ codeText: '2.05', meaning: 'Content', violations: [] })
    expect(r.records).toEqual([
      { path: [1, 0, 1], value: { type: 'integer', value: 3600 } },
      { path: [1, 0, 7], value: { type: 'string', value: 'U' } }
    ])
  })
  it('DMSE-01: a refusal is the device\'s answer with its meaning', async () => {
    device.answer = () => ({ code: 133, contentFormat: null, payload: new Uint8Array(), observe: null, locationPath: [] })
    const r = await server.delete('dev1', [3, 0])
    expect(r.codeText).toBe('4.05')
    expect(r.meaning).toMatch(/Method Not Allowed.*DMSE-01/)
  })
  it('RD-02: Discover asks for link format with depth', async () => {
    await server.discover('dev1', [3], 2)
    expect(device.sent[0]).toMatchObject({ method: 'GET', path: ['3'], query: ['depth=2'], accept: 40 })
  })
  it('Execute goes to /O/I/R with text arguments; other levels are refused before sending', async () => {
    await server.execute('dev1', [1, 0, 8], "0='a'")
    expect(device.sent[0]).toMatchObject({ method: 'POST', path: ['1', '0', '8'], contentFormat: 0 })
    expect(new TextDecoder().decode(device.sent[0]?.payload)).toBe("0='a'")
    expect(() => server.execute('dev1', [1, 0], '')).toThrow(/\/O\/I\/R/)
  })
  it('Write a single resource goes as text; an instance as TLV to a 1.1 client without ct', async () => {
    await server.write('dev1', [1, 0, 1], [{ path: [1, 0, 1], value: { type: 'integer', value: 600 } }])
    expect(device.sent[0]).toMatchObject({ method: 'PUT', contentFormat: 0 })
    expect(new TextDecoder().decode(device.sent[0]?.payload)).toBe('600')
    await server.write('dev1', [1, 0], [{ path: [1, 0, 1], value: { type: 'integer', value: 3600 } }], { partial: true })
    expect(device.sent[1]).toMatchObject({ method: 'POST', path: ['1', '0'], contentFormat: 11542 })
  })
  it('Write-Attributes carries the query; Observe on a 1.1 client attaches its attributes with Write-Attributes first (INFO-01, issue 12 item 4)', async () => {
    await server.writeAttributes('dev1', [3, 0, 9], 'pmin=10&pmax=60')
    expect(device.sent[0]).toMatchObject({ method: 'PUT', query: ['pmin=10', 'pmax=60'] })
    device.answer = (req) => (req.method === 'PUT' ? { code: 68, contentFormat: null, payload: new Uint8Array(), observe: null, locationPath: [] } : { code: 69, contentFormat: 0, payload: enc('87'), observe: null, locationPath: [] })
    const o = await server.observe('dev1', [3, 0, 9], 'pmin=1&lt=20&gt=80')
    expect(device.sent[1]).toMatchObject({ method: 'PUT', query: ['pmin=1', 'lt=20', 'gt=80'] })
    expect(device.sent[2]).toMatchObject({ observe: 0, query: [] })
    expect(o.result.steps?.map((s) => [s.operation, s.codeText])).toEqual([['Write-Attributes', '2.04'], ['Observe', '2.05']])
    expect(o.result.notes?.join(' ')).toMatch(/stay on the device after the observation ends/)
    expect(o.observationId).not.toBeNull()
    expect(o.result.records[0]).toEqual({ path: [3, 0, 9], value: { type: 'integer', value: 87 } })
    device.notify?.({ code: 69, contentFormat: 0, payload: enc('86'), observe: 2, locationPath: [] })
    expect(events.at(-1)).toMatchObject({ type: 'notification', endpoint: 'dev1', result: { records: [{ value: { value: 86 } }] } })
    await server.cancelObservation(o.observationId as string)
    expect(server.observations('dev1')).toEqual([])
  })
})

describe('Queue mode (T §6.5)', () => {
  it('queues requests while the device sleeps, sends them one at a time after its next message, and lets one be cancelled', async () => {
    const id = server.handle(uplink('POST', '/rd', ['ep=q1', 'lt=600', 'lwm2m=1.1', 'Q'], '</3/0>')).locationPath?.[1] as string
    clock.advance(100_000) // past the awake window
    const a = server.read('q1', [3, 0, 0])
    const b = server.read('q1', [3, 0, 1])
    const c = server.read('q1', [3, 0, 2])
    await Promise.resolve()
    expect(device.sent).toEqual([])
    expect(server.queue('q1').map((p) => p.path)).toEqual(['/3/0/0', '/3/0/1', '/3/0/2'])
    const queued = server.queue('q1')[1]?.id as string
    expect(server.cancel('q1', queued)).toMatchObject({ cancelled: true, state: 'queued' })
    await expect(b).rejects.toThrow(/cancelled before it was sent/)
    server.handle(uplink('POST', `/rd/${id}`, [])) // the device wakes up with an Update
    await a
    await c
    expect(device.sent.map((r) => r.path.join('/'))).toEqual(['3/0/0', '3/0/2'])
    expect(server.queue('q1')).toEqual([])
  })
})
