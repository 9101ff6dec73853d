// Issue 12: what independent clients and hostile probes found, reproduced on a fake clock with a
// scripted device link (the CoAP layer under it is covered in test/core/coap/separate-response.test.ts
// and end to end over UDP in test/interop/misbehaving-device.test.ts).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { beforeEach, describe, expect, it } from 'vitest'
import { ModelRegistry } from '../../../../src-main/core/lwm2m/model/model-registry'
import type { ObjectModel } from '../../../../src-main/core/lwm2m/model'
import { ExpiryQueue } from '../../../../src-main/core/lwm2m/server/expiry'
import { Lwm2mServer, type ServerEvent } from '../../../../src-main/core/lwm2m/server/lwm2m-server'
import type { DeviceLink, DownlinkRequest, DownlinkResponse, ObservationHandle, SendControl, UplinkRequest } from '../../../../src-main/core/lwm2m/server/messages'
import type { PeerAddress, Scheduler } from '../../../../src-main/core/ports'
import { FakeScheduler, SeededRandom } from '../../../helpers/fake-scheduler'

const models = new ModelRegistry()
for (const m of JSON.parse(readFileSync(fileURLToPath(new URL('../../../../resources/models/models.json', import.meta.url)), 'utf8')) as ObjectModel[])
  models.add(m, 'shipped')

const peer = (port: number): PeerAddress => ({ key: `udp:127.0.0.1:${port}`, display: `127.0.0.1:${port}` })
const enc = (s: string) => new TextEncoder().encode(s)
const CONTENT = (v: string): DownlinkResponse => ({ code: 69, contentFormat: 0, payload: enc(v), observe: null, locationPath: [] })

/** A device whose behaviour per request is scripted: answer, or Empty ACK and silence, or nothing. */
class Device implements DeviceLink {
  sent: { req: DownlinkRequest; ctl: SendControl | undefined; answer: (r: DownlinkResponse) => void; fail: (e: unknown) => void }[] = []
  behaviour: (req: DownlinkRequest) => 'answer' | 'ack-then-silence' | 'silence' = () => 'answer'
  notify: ((n: DownlinkResponse) => void) | null = null
  end: ((reason: string) => void) | null = null
  send(_p: PeerAddress, req: DownlinkRequest, ctl?: SendControl): Promise<DownlinkResponse> {
    return new Promise((resolve, reject) => {
      this.sent.push({ req, ctl, answer: resolve, fail: reject })
      ctl?.cancel.onCancel(reject)
      const b = this.behaviour(req)
      if (b === 'answer') queueMicrotask(() => resolve(CONTENT('1')))
      if (b === 'ack-then-silence') queueMicrotask(() => ctl?.onAck())
    })
  }
  async observe(_p: PeerAddress, req: DownlinkRequest, onNotification: (n: DownlinkResponse) => void, onEnd: (reason: string) => void): Promise<ObservationHandle> {
    this.sent.push({ req, ctl: undefined, answer: () => undefined, fail: () => undefined })
    this.notify = onNotification
    this.end = onEnd
    return { first: { ...CONTENT('20'), observe: 1 }, cancel: async () => undefined }
  }
}

let clock: FakeScheduler
let device: Device
let events: ServerEvent[]
let server: Lwm2mServer
let settings: { timeoutMs: number; max: number; historyMs: number }
const register = (ep: string, port = 40000, extra: string[] = [], version = '1.1'): ReturnType<Lwm2mServer['handle']> =>
  server.handle({ peer: peer(port), method: 'POST', path: ['rd'], query: [`ep=${ep}`, 'lt=60', `lwm2m=${version}`, ...extra], contentFormat: 40, payload: enc('</1/0>,</3/0>,</3303/0>') } as UplinkRequest)
const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve()
}
const timeline = (ep: string) => server.timeline.page(ep, clock.now())?.entries ?? []

beforeEach(() => {
  clock = new FakeScheduler()
  device = new Device()
  events = []
  settings = { timeoutMs: 30_000, max: 100_000, historyMs: 3_600_000 }
  server = new Lwm2mServer({
    link: device,
    scheduler: clock,
    random: new SeededRandom(3),
    models,
    onEvent: (e) => events.push(e),
    requestTimeoutMs: () => settings.timeoutMs,
    maxRegistrations: () => settings.max,
    historyMs: () => settings.historyMs
  })
})

describe('item 1: a request answered only by an Empty ACK does not block the device (RFC 7252 §4.7)', () => {
  it('the next request goes out at once and is answered; the stuck one ends at its deadline; a late answer lands on the timeline', async () => {
    register('dev1')
    device.behaviour = (req) => (req.method === 'FETCH' ? 'ack-then-silence' : 'answer')
    const stuck = server.readComposite('dev1', [[3, 0, 0]]).catch((e: unknown) => e)
    await flush()
    expect(server.queue('dev1').map((r) => r.state)).toEqual(['acknowledged'])
    const read = await server.read('dev1', [3, 0, 9])
    expect(read.codeText).toBe('2.05')
    expect(clock.now()).toBe(0) // not after EXCHANGE_LIFETIME, not after the deadline: at once
    clock.advance(30_000)
    const err = (await stuck) as Error
    expect(err.message).toMatch(/acknowledged the request but sent no answer within 30 s/)
    // The device finally answers: reported as late, matched to nothing.
    device.sent[0]?.ctl?.onLate(CONTENT('late'))
    const late = timeline('dev1').filter((e) => e.kind === 'late-response')
    expect(late).toHaveLength(1)
    expect(late[0]?.text).toMatch(/late answer to Read-Composite \/3\/0\/0: 2\.05/)
  })
  it('a per-call timeoutMs overrides the setting, and the setting applies at once (item 17)', async () => {
    register('dev1')
    device.behaviour = () => 'silence'
    const a = server.read('dev1', [3, 0, 0], undefined, undefined, { timeoutMs: 2_000 }).catch((e: unknown) => e)
    await flush()
    clock.advance(2_000)
    expect(((await a) as Error).message).toMatch(/no answer from the device within 2 s/)
    settings.timeoutMs = 5_000
    const b = server.read('dev1', [3, 0, 0]).catch((e: unknown) => e)
    await flush()
    clock.advance(5_000)
    expect(((await b) as Error).message).toMatch(/within 5 s/)
  })
})

describe('item 2: in-flight requests are listed and can be cancelled', () => {
  it('devices.queue shows queued, sent and acknowledged with age; cancel ends any, saying a sent one may still take effect', async () => {
    register('dev1')
    device.behaviour = (req) => (req.path.join('/') === '3/0/4' ? 'ack-then-silence' : 'silence')
    const exec = server.execute('dev1', [3, 0, 4], undefined, undefined, { requestId: 'reboot-1' }).catch((e: unknown) => e)
    await flush()
    const read = server.read('dev1', [3, 0, 0], undefined, undefined, { requestId: 'read-1' }).catch((e: unknown) => e)
    const read2 = server.read('dev1', [3, 0, 1], undefined, undefined, { requestId: 'read-2' }).catch((e: unknown) => e)
    await flush()
    clock.advance(1500)
    expect(server.queue('dev1').map((r) => [r.id, r.state])).toEqual([
      ['reboot-1', 'acknowledged'],
      ['read-1', 'sent'],
      ['read-2', 'queued']
    ])
    expect(server.cancel('dev1', 'read-2')).toMatchObject({ cancelled: true, state: 'queued', note: expect.stringMatching(/never saw it/) })
    expect(server.cancel('dev1', 'reboot-1')).toMatchObject({ cancelled: true, state: 'acknowledged', note: expect.stringMatching(/may still carry it out/) })
    expect(((await exec) as Error).message).toMatch(/may still carry it out/)
    expect(((await read2) as Error).message).toMatch(/never saw it/)
    expect(server.cancel('dev1', 'nope')).toMatchObject({ cancelled: false, state: null })
    // A caller-chosen id cannot be reused while its request is live.
    await expect(server.read('dev1', [3, 0, 2], undefined, undefined, { requestId: 'read-1' })).rejects.toThrow(/already in use/)
    expect(timeline('dev1').filter((e) => e.kind === 'cancelled').map((e) => e.requestId)).toEqual(['read-2', 'reboot-1'])
    server.cancel('dev1', 'read-1')
    await read
  })
})

describe('item 4: Discover with depth to a client below 1.2 says depth is 1.2-only and still sends it', () => {
  it('1.1: the note; 1.2: none', async () => {
    register('old')
    const r = await server.discover('old', [3], 2)
    expect(device.sent.at(-1)?.req.query).toEqual(['depth=2'])
    expect(r.notes?.join(' ')).toMatch(/depth is a LwM2M 1\.2 parameter/)
    register('new', 40001, [], '1.2')
    expect((await server.discover('new', [3], 2)).notes).toBeUndefined()
  })
  it('1.2 client refusing attributes in the Observe query (4.02): explained, with the Write-Attributes route suggested', async () => {
    register('v12', 40002, [], '1.2')
    device.observe = async (_p, req) => {
      device.sent.push({ req, ctl: undefined, answer: () => undefined, fail: () => undefined })
      return { first: { code: 130, contentFormat: null, payload: new Uint8Array(), observe: null, locationPath: [] }, cancel: async () => undefined }
    }
    const o = await server.observeComposite('v12', [[3, 0, 9]], 'pmin=5')
    expect(o.observationId).toBeNull()
    expect(o.result.suggestion).toBe('write-attributes-route')
    expect(o.result.notes?.join(' ')).toMatch(/refused the Observe with attributes in its query \(4\.02\)/)
  })
})

describe('item 5: devices.observationEnded for every end', () => {
  const ends = () => events.filter((e) => e.type === 'observationEnded').map((e) => (e as { reason: string }).reason)
  it('cancel, the device ending it (RST or error notification) and the registration ending', async () => {
    register('dev1')
    const a = await server.observe('dev1', [3303, 0, 5700])
    await server.cancelObservation(a.observationId as string)
    const b = await server.observe('dev1', [3303, 0, 5700])
    device.end?.('reset by the device (RST)')
    const c = await server.observe('dev1', [3303, 0, 5700])
    expect(c.observationId).not.toBeNull()
    register('dev1') // registering again ends the old registration's observations
    expect(ends()).toEqual(['cancelled', 'reset by the device (RST)', 'registration replaced'])
    expect(b.observationId).not.toBeNull()
    // Cancelling twice is refused, not a second event.
    await expect(server.cancelObservation(a.observationId as string)).rejects.toThrow(/no observation/)
    expect(ends()).toHaveLength(3)
  })
})

/** A scheduler whose timers fire a little before they are due, as setTimeout does against performance.now(). */
class EarlyScheduler implements Scheduler {
  constructor(
    private readonly inner: FakeScheduler,
    private readonly earlyMs: number
  ) {}
  now(): number {
    return this.inner.now()
  }
  schedule(delayMs: number, fn: () => void): () => void {
    // Never earlier than 1 ms after now: time moves on, as it does for a real timer.
    return this.inner.schedule(Math.max(1, delayMs - this.earlyMs), fn)
  }
}

describe('item 6: expiry is never lost when a timer fires early (C §6.2.1 lifetime)', () => {
  it('ExpiryQueue re-arms for the remainder', () => {
    const fake = new FakeScheduler()
    const expired: string[] = []
    const q = new ExpiryQueue(new EarlyScheduler(fake, 3), (id) => expired.push(id))
    q.set('a', 4000)
    q.set('b', 4000)
    q.set('c', 9000)
    fake.advance(3997) // the early timer fires here: nothing is due yet
    expect(expired).toEqual([])
    fake.advance(3)
    expect(expired.sort()).toEqual(['a', 'b'])
    q.set('c', 12_000) // an Update moves c's expiry
    fake.advance(5000)
    expect(expired).toHaveLength(2)
    fake.advance(3000)
    expect(expired.sort()).toEqual(['a', 'b', 'c'])
    expect(fake.pending).toBe(0)
  })
  it('300 registrations with lt=4 on an early-firing clock are all gone after their lifetime', () => {
    const fake = new FakeScheduler()
    const s = new Lwm2mServer({ link: device, scheduler: new EarlyScheduler(fake, 2), random: new SeededRandom(9), models })
    for (let i = 0; i < 300; i++) {
      s.handle({ peer: peer(41000 + i), method: 'POST', path: ['rd'], query: [`ep=b${i}`, 'lt=4', 'lwm2m=1.1'], contentFormat: 40, payload: enc('</3/0>') })
      fake.advance(3) // a burst spread over ~1 s
    }
    expect(s.registrations.size).toBeGreaterThan(0)
    fake.advance(5000)
    expect(s.registrations.size).toBe(0)
  })
})

describe('item 7: endpoint names over 256 bytes, with control characters or invalid UTF-8 get 4.00', () => {
  it.each([
    ['60 KB', 'x'.repeat(60_000)],
    ['257 bytes', 'x'.repeat(257)],
    ['86 × € (258 bytes)', '€'.repeat(86)],
    ['NUL', 'dev\u00001'],
    ['ESC', '\u001b[31mred'],
    ['invalid UTF-8 (decoded as U+FFFD)', 'dev\uFFFD']
  ])('%s', (_label, ep) => {
    const res = register(ep)
    expect(res.code).toBe(128)
    expect(new TextDecoder().decode(res.payload)).toMatch(/endpoint name/)
    expect(server.registrations.size).toBe(0)
  })
  it('256 bytes is fine', () => expect(register('€'.repeat(85)).code).toBe(65))
})

describe('item 8: the registration table has a cap', () => {
  it('answers 5.03 with Max-Age when full; a known endpoint may still register again; the cap applies at once', () => {
    settings.max = 3
    for (const ep of ['a', 'b', 'c']) expect(register(ep).code).toBe(65)
    const full = register('d')
    expect(full.code).toBe(163)
    expect(full.maxAge).toBeGreaterThan(0)
    expect(register('a', 40009).code).toBe(65) // re-registration of a known endpoint
    settings.max = 4
    expect(register('d').code).toBe(65)
  })
})

describe('item 9 and 10: takeovers and the server-side timeline', () => {
  it('a takeover from another address is recorded and in the event', () => {
    register('dev1', 40000)
    register('dev1', 40100)
    const last = events.filter((e) => e.type === 'registered').at(-1)
    expect(last).toMatchObject({ replaced: true, previousAddress: '127.0.0.1:40000' })
    expect(timeline('dev1').map((e) => e.kind)).toEqual(['registered', 'takeover', 'registered'])
    expect(timeline('dev1')[1]?.text).toMatch(/re-registered from 127\.0\.0\.1:40000 to 127\.0\.0\.1:40100/)
  })
  it('requests with code and duration, expiry, and history kept for the retention period only', async () => {
    register('dev1')
    await server.read('dev1', [3, 0, 0])
    clock.advance(61_000)
    expect(server.registrations.byEndpoint('dev1')).toBeUndefined()
    const kinds = timeline('dev1').map((e) => e.kind)
    expect(kinds).toEqual(['registered', 'request', 'expired'])
    expect(timeline('dev1')[1]).toMatchObject({ operation: 'Read', path: '/3/0/0', code: '2.05', durationMs: 0 })
    expect(server.timeline.endedDevices(clock.now()).map((h) => [h.endpoint, h.ended?.reason])).toEqual([['dev1', 'expired']])
    expect(events.filter((e) => e.type === 'timeline')).toHaveLength(3)
    clock.advance(3_600_000)
    expect(server.timeline.page('dev1', clock.now())).toBeNull()
  })
  it('is bounded per device', async () => {
    register('dev1')
    for (let i = 0; i < 600; i++) await server.read('dev1', [3, 0, 0])
    const page = server.timeline.page('dev1', clock.now(), -1, 1000)
    expect(page?.total).toBe(500)
    expect(page?.entries.at(-1)?.seq).toBe(600)
  })
})

describe('item 19: a device answer with endless violations is capped', () => {
  it('a Read answered by 500 000 non-records of SenML JSON: 100 violations kept, the total reported', async () => {
    register('dev1')
    device.behaviour = () => 'silence'
    const p = server.read('dev1', [3, 0])
    await flush()
    device.sent.at(-1)?.answer({ code: 69, contentFormat: 110, payload: enc('[' + Array(500_000).fill('1').join(',') + ']'), observe: null, locationPath: [] })
    const r = await p
    expect(r.violations).toHaveLength(100)
    expect(r.violationsTotal).toBeGreaterThan(100_000)
  })
})

describe('Send (/dp) finds its device by address without scanning every registration', () => {
  const send = (port: number) =>
    server.handle({ peer: peer(port), method: 'POST', path: ['dp'], query: [], contentFormat: 110, payload: enc('[{"bn":"/3303/0/","n":"5700","v":21.5}]') })
  it('after a takeover the new address is the device, the old one is nobody; after De-register nobody', () => {
    register('a', 40000)
    register('b', 40001)
    expect(send(40001).code).toBe(68)
    expect(events.filter((e) => e.type === 'send').map((e) => (e as { endpoint: string }).endpoint)).toEqual(['b'])
    register('a', 40002) // takeover from another address
    expect(send(40000).code).toBe(132)
    expect(send(40002).code).toBe(68)
    const id = server.registrations.byEndpoint('a')?.id as string
    server.handle({ peer: peer(40002), method: 'DELETE', path: ['rd', id], query: [], contentFormat: null, payload: new Uint8Array() })
    expect(send(40002).code).toBe(132)
    expect(send(40001).code).toBe(68)
  })
})
