// Information Reporting as the client does it (C §6.4, §7.3; facts §3.4) on a fake clock.
// The NotificationSink is a fake: in the client it is the CoAP observe relation
// (core/coap/observe-server.ts), a boundary a pure unit test does not reach; here it only records
// what would have gone out, and whether as CON. The CoAP side has its own tests
// (test/core/coap/observe-server.test.ts), and lwm2m-client.test.ts runs both together.
import { beforeEach, describe, expect, it } from 'vitest'
import type { NotificationAttributes } from '../../../../src-main/core/lwm2m/attributes'
import type { ObjectTree } from '../../../../src-main/core/lwm2m/client/object-tree'
import { Reporting, type NotificationSink } from '../../../../src-main/core/lwm2m/client/reporting'
import { CF, type ContentFormat } from '../../../../src-main/core/lwm2m/content-format'
import { Option } from '../../../../src-main/core/coap/message'
import { decodePayload } from '../../../../src-main/core/lwm2m/formats/all'
import type { Value } from '../../../../src-main/core/lwm2m/value'
import { FakeScheduler } from '../../../helpers/fake-scheduler'
import { bool, context, data, decode, deviceTree, float, models, p, str, type TestContext } from './fixtures'

interface Sent {
  readonly at: number
  readonly payload: Uint8Array
  readonly contentFormat: number | null
  readonly confirmable: boolean
}

/** Stands in for the CoAP observe relation: records each notification. */
class FakeSink implements NotificationSink {
  active = true
  readonly sent: Sent[] = []
  ended = false
  constructor(private readonly clock: FakeScheduler) {}
  notify(r: { code: number; options?: readonly { number: number; value: Uint8Array }[]; payload?: Uint8Array }, opts?: { confirmable?: boolean }): void {
    const cf = r.options?.find((o) => o.number === Option.CONTENT_FORMAT)
    this.sent.push({
      at: this.clock.now(),
      payload: r.payload ?? new Uint8Array(0),
      contentFormat: cf ? cf.value.reduce((n, b) => n * 256 + b, 0) : null,
      confirmable: opts?.confirmable ?? false
    })
  }
  end(): void {
    this.ended = true
  }
  texts(): string[] {
    return this.sent.map((s) => decode(s.payload))
  }
}

const S = 1000
const EPOCH = 1_700_000_000
let clock: FakeScheduler
let tree: ObjectTree
let ctx: TestContext
let rep: Reporting
let awake: boolean
let storing: boolean
let confirmableByDefault: boolean
let pending: number

beforeEach(() => {
  clock = new FakeScheduler()
  tree = deviceTree([{ ssid: 101 }])
  tree.putInstance(3303, 0, data({ 5700: float(20), 5701: str('Cel') }))
  tree.putInstance(3342, 0, data({ 5500: bool(false) }))
  ctx = context(tree)
  awake = true
  storing = true
  confirmableByDefault = false
  pending = 0
  rep = new Reporting({
    scheduler: clock,
    wallClock: () => EPOCH + Math.floor(clock.now() / 1000),
    context: () => ctx,
    awake: () => awake,
    storing: () => storing,
    defaultConfirmable: () => confirmableByDefault,
    defaultPeriods: () => ({ pmin: null, pmax: null }),
    onPending: () => void pending++
  })
  tree.onChange = (path) => rep.changed(path)
})

function observe(path: string, queryAttributes: NotificationAttributes = {}, accept: ContentFormat | null = null): FakeSink {
  const sink = new FakeSink(clock)
  const spec = { ssid: 101, paths: [p(path)], composite: false, accept, queryAttributes }
  const { response, attrs } = rep.first(spec)
  expect(response.code).toBe(69)
  rep.start(spec, sink, response.contentFormat ?? CF.TEXT, attrs)
  return sink
}

const set = (path: string, v: Value): void => tree.set(p(path) as readonly [number, number, number], v)
const temp = (n: number): void => set('/3303/0/5700', float(n))

describe('Observe without attributes', () => {
  it('the initial answer is a Read; every change is notified at once', () => {
    const sink = observe('/3303/0/5700')
    temp(21)
    temp(22)
    expect(sink.texts()).toEqual(['21', '22'])
  })

  it('an inactive relation (cancelled by the server) ends the observation on the next notification', () => {
    const sink = observe('/3303/0/5700')
    sink.active = false
    temp(21)
    expect(sink.sent).toEqual([])
    expect(rep.list()).toHaveLength(0)
  })
})

describe('Notification attributes (C §7.3)', () => {
  it('pmin: a change within pmin waits until pmin has passed, then the newest value goes', () => {
    const sink = observe('/3303/0/5700', { pmin: 10 })
    clock.advance(1 * S)
    temp(21)
    clock.advance(1 * S)
    temp(23)
    expect(sink.sent).toEqual([])
    clock.advance(8 * S)
    expect(sink.sent.map((s) => [s.at / S, decode(s.payload)])).toEqual([[10, '23']])
  })

  it('pmax: a notification goes at least every pmax seconds, changed or not', () => {
    const sink = observe('/3303/0/5700', { pmax: 30 })
    clock.advance(95 * S)
    expect(sink.sent.map((s) => s.at / S)).toEqual([30, 60, 90])
    temp(25)
    clock.advance(30 * S)
    expect(sink.sent.map((s) => s.at / S)).toEqual([30, 60, 90, 95, 125])
  })

  it('gt and lt: only changes that cross a threshold, either way', () => {
    const sink = observe('/3303/0/5700', { gt: 25, lt: 10 })
    for (const v of [24, 26, 27, 24, 12, 9, 8, 11]) temp(v)
    expect(sink.texts()).toEqual(['26', '24', '9', '11'])
  })

  it('st: only changes of at least st from the last value reported', () => {
    const sink = observe('/3303/0/5700', { st: 2 })
    for (const v of [21, 21.9, 22, 23, 24.5]) temp(v)
    expect(sink.texts()).toEqual(['22', '24.5'])
  })

  it('LwM2M-INFO-03: edge=1 reports rising edges of a Boolean only, edge=0 falling ones only', () => {
    const rising = observe('/3342/0/5500', { edge: 1 })
    const falling = observe('/3342/0/5500', { edge: 0 })
    for (const v of [true, false, true, false]) set('/3342/0/5500', bool(v))
    expect(rising.texts()).toEqual(['1', '1'])
    expect(falling.texts()).toEqual(['0', '0'])
  })

  it('con=1 makes notifications confirmable; without it /1/x/26 decides', () => {
    const con = observe('/3303/0/5700', { con: 1 })
    const plain = observe('/3303/0/5700')
    temp(21)
    expect(con.sent[0]?.confirmable).toBe(true)
    expect(plain.sent[0]?.confirmable).toBe(false)
    confirmableByDefault = true
    const byDefault = observe('/3303/0/5700')
    const forcedNon = observe('/3303/0/5700', { con: 0 })
    temp(22)
    expect(byDefault.sent[0]?.confirmable).toBe(true)
    expect(forcedNon.sent[0]?.confirmable).toBe(false)
  })

  it('LwM2M-INFO-01: attributes in the Observe request hold for that observation only', () => {
    const withQuery = observe('/3303/0/5700', { pmin: 10 })
    const other = observe('/3303/0/5700')
    temp(21)
    expect(other.texts()).toEqual(['21'])
    expect(withQuery.sent).toEqual([])
    expect(ctx.attributes.effective(101, p('/3303/0/5700'))).toEqual({})
  })

  it('attributes written with Write-Attributes on the object are inherited by an observation of its resource; the request\'s own override them', () => {
    ctx.attributes.write(101, p('/3303'), { pmin: 5 })
    ctx.attributes.write(101, p('/3303/0'), { st: 3 })
    const inherited = observe('/3303/0/5700')
    const overridden = observe('/3303/0/5700', { st: 1 })
    clock.advance(5 * S)
    temp(21)
    temp(23)
    expect(inherited.texts()).toEqual(['23'])
    expect(overridden.texts()).toEqual(['21'])
  })
})

describe('Queue mode: stored notifications (/1/x/6, hqmax)', () => {
  const history = (s: Sent): Array<[number, unknown]> =>
    decodePayload(s.contentFormat as number, s.payload, { path: p('/3303/0/5700'), models }).records.map((r) => [r.time ?? -1, r.value?.value])

  it('while asleep notifications are stored with their time and sent on wake, oldest first, in one SenML notification', () => {
    const sink = observe('/3303/0/5700', {}, CF.SENML_JSON)
    awake = false
    clock.advance(1 * S)
    temp(21)
    clock.advance(1 * S)
    temp(22)
    expect(sink.sent).toEqual([])
    expect(pending).toBe(2)
    awake = true
    rep.wake()
    expect(sink.sent).toHaveLength(1)
    expect(history(sink.sent[0] as Sent)).toEqual([[EPOCH + 1, 21], [EPOCH + 2, 22]])
  })

  it('hqmax bounds the stored notifications (the oldest are dropped)', () => {
    const sink = observe('/3303/0/5700', { hqmax: 2 }, CF.SENML_JSON)
    awake = false
    for (const v of [21, 22, 23, 24]) {
      clock.advance(1 * S)
      temp(v)
    }
    awake = true
    rep.wake()
    expect(history(sink.sent[0] as Sent).map(([, v]) => v)).toEqual([23, 24])
  })

  it('without storing, only the newest state goes on wake', () => {
    storing = false
    const sink = observe('/3303/0/5700')
    awake = false
    temp(21)
    temp(22)
    awake = true
    rep.wake()
    expect(sink.texts()).toEqual(['22'])
  })

  it('stopServer ends the relations of that server', () => {
    const sink = observe('/3303/0/5700')
    rep.stopServer(101)
    expect(sink.ended).toBe(true)
    temp(30)
    expect(sink.sent).toEqual([])
  })
})
