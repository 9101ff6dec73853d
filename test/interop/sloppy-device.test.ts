// SPDX-License-Identifier: Apache-2.0
// Devices that get the protocol a little wrong, over real UDP against the real server roles: odd
// instance ids in the object list, an ignored Accept, no Content-Format, the wrong success code,
// an ignored Observe, a Block2 answer stuck at block 0. The device is a raw socket with scripted
// answers (the misbehaviour is the point, so no CoAP library that would correct it). Each answer
// must be usable where it can be, say what was wrong, and never leave the device blocked.
import { createSocket, type Socket } from 'node:dgram'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DeviceDetail, OperationResultDto, TimelineEntryDto } from '../../src-main/contract/devices'
import { decodeMessage, encodeMessage } from '../../src-main/core/coap/codec'
import { Option, type CoapMessage, type CoapOption } from '../../src-main/core/coap/message'
import { startBench, type SimBench } from '../helpers/simulator'

let bench: SimBench
const text = (s: string) => new TextEncoder().encode(s)
const uint = (n: number) => (n === 0 ? new Uint8Array(0) : n < 256 ? Uint8Array.of(n) : Uint8Array.of(n >> 8, n & 255))
const uriPath = (m: CoapMessage) => '/' + m.options.filter((o) => o.number === Option.URI_PATH).map((o) => new TextDecoder().decode(o.value)).join('/')
const cf = (n: number): CoapOption => ({ number: Option.CONTENT_FORMAT, value: uint(n) })

type Answer = (m: CoapMessage) => { code: number; options?: CoapOption[]; payload?: Uint8Array }

/** A raw UDP device: registers, then answers each request path by its script. */
class SloppyDevice {
  readonly socket: Socket = createSocket('udp4')
  readonly script = new Map<string, Answer>()
  readonly got: CoapMessage[] = []
  // RFC 7252 §4.4: a random first Message ID, so a device that gets a closed one's port is not
  // taken for its retransmission (the server would answer from its dedup cache).
  #mid = Math.floor(Math.random() * 0x10000)
  #waiting: ((m: CoapMessage) => void) | null = null
  async start(): Promise<void> {
    await new Promise<void>((r) => this.socket.bind(0, '127.0.0.1', r))
    this.socket.on('message', (buf) => {
      const { message: m } = decodeMessage(new Uint8Array(buf))
      if (!m) return
      if (m.type === 'ACK') return this.#waiting?.(m)
      if (m.type !== 'CON') return
      this.got.push(m)
      const a = this.script.get(uriPath(m))?.(m) ?? { code: 132 } // 4.04 for anything unscripted
      this.send({ type: 'ACK', code: a.code, messageId: m.messageId, token: m.token, options: a.options ?? [], payload: a.payload ?? new Uint8Array(0) })
    })
  }
  send(m: CoapMessage): void {
    this.socket.send(encodeMessage(m), bench.serverPort, '127.0.0.1')
  }
  register(query: string[], payload: string): Promise<CoapMessage> {
    return this.post('rd', query, payload, 40)
  }
  /** A CON POST from the device; resolves with the piggybacked answer. */
  post(path: string, query: string[], payload: string | Uint8Array, format: number | null): Promise<CoapMessage> {
    const answered = new Promise<CoapMessage>((r) => (this.#waiting = r))
    const options = [
      { number: Option.URI_PATH, value: text(path) },
      ...(format === null ? [] : [cf(format)]),
      ...query.map((q) => ({ number: Option.URI_QUERY, value: text(q) }))
    ]
    this.send({ type: 'CON', code: 2, messageId: this.#mid++ & 0xffff, token: Uint8Array.of(1, 2, 3), options, payload: typeof payload === 'string' ? text(payload) : payload })
    return answered
  }
  close(): void {
    this.socket.close()
  }
}

const read = (endpoint: string, path: string, extra: object = {}) => bench.call<OperationResultDto>('devices.read', { endpoint, path, ...extra })

beforeAll(async () => {
  bench = await startBench()
})
afterAll(async () => {
  await bench?.close()
})

describe('odd instance ids in the object list (C §6.2.1, §7.1: 16-bit ids, 65535 reserved)', () => {
  it('registers with the usable links, names the rest on the timeline, and reads the non-contiguous instances', async () => {
    const dev = new SloppyDevice()
    await dev.start()
    dev.script.set('/3303/42/5700', () => ({ code: 69, options: [cf(0)], payload: text('21.5') }))
    const list = '</1/0>,</3/0>,</3303/7>,</3303/42>,</3303/65535>,</3303/70000>,</3/0>,</3/0/0>'
    const reg = await dev.register(['ep=odd-ids', 'lt=300', 'lwm2m=1.1'], list)
    expect(reg.code).toBe(65)
    const d = await bench.call<DeviceDetail>('devices.get', { endpoint: 'odd-ids' })
    expect(d.objects.map((o) => o.path)).toEqual(['/1/0', '/3/0', '/3303/7', '/3303/42'])
    const tl = await bench.call<{ entries: TimelineEntryDto[] }>('devices.timeline', { endpoint: 'odd-ids' })
    const registered = tl.entries.find((e) => e.kind === 'registered')
    expect(registered?.text).toMatch(/its object list has 4 problem\(s\): <\/3303\/65535>: instance id 65535 is outside 0\.\.65534/)
    expect(await read('odd-ids', '/3303/42/5700')).toMatchObject({ code: '2.05', records: [{ path: '/3303/42/5700', value: 21.5 }], violations: [] })
    dev.close()
  })

  it('an object list with no usable link draws 4.00 with the reasons, not a registration no one can address', async () => {
    const dev = new SloppyDevice()
    await dev.start()
    const reg = await dev.register(['ep=no-usable', 'lt=300', 'lwm2m=1.1'], '</3303/70000>,</65535/0>')
    expect(reg.code).toBe(128)
    expect(new TextDecoder().decode(reg.payload)).toMatch(/names no usable object: <\/3303\/70000>: instance id 70000 is outside/)
    expect((await bench.call<{ total: number }>('devices.list', { filter: 'no-usable' })).total).toBe(0)
    dev.close()
  })
})

describe('answers that are usable but wrong say so', () => {
  let dev: SloppyDevice
  beforeAll(async () => {
    dev = new SloppyDevice()
    await dev.start()
    expect((await dev.register(['ep=sloppy', 'lt=300', 'lwm2m=1.1'], '</1/0>,</3/0>,</3303/0>')).code).toBe(65)
  })
  afterAll(() => dev.close())

  it('RFC 7252 §5.10.4: asked for SenML JSON, answered in plain text — decoded as sent, with a warning', async () => {
    dev.script.set('/3/0/0', () => ({ code: 69, options: [cf(0)], payload: text('Acme') }))
    const r = await read('sloppy', '/3/0/0', { format: 'senml-json' })
    expect(dev.got.at(-1)?.options.find((o) => o.number === Option.ACCEPT)?.value).toEqual(uint(110))
    expect(r).toMatchObject({ code: '2.05', success: true, contentFormat: 0, records: [{ path: '/3/0/0', value: 'Acme' }] })
    expect(r.violations).toEqual([expect.objectContaining({ rule: 'coap.accept-ignored', severity: 'warning', message: expect.stringMatching(/asked for senml-json \(110\), the device answered in text \(0\)/) })])
  })

  it('a payload without Content-Format on a resource is read as plain text and the guess is named', async () => {
    dev.script.set('/3/0/1', () => ({ code: 69, payload: text('Widget 2000') }))
    const r = await read('sloppy', '/3/0/1')
    expect(r).toMatchObject({ code: '2.05', contentFormat: null, records: [{ path: '/3/0/1', value: 'Widget 2000' }] })
    expect(r.violations).toEqual([expect.objectContaining({ rule: 'lwm2m.payload-no-content-format', severity: 'warning', message: expect.stringMatching(/read as text \(0\)/) })])
  })

  it('Transport §6: an Execute answered 2.05 instead of 2.04 is flagged', async () => {
    dev.script.set('/3/0/4', () => ({ code: 69 }))
    const r = await bench.call<OperationResultDto>('devices.execute', { endpoint: 'sloppy', path: '/3/0/4' })
    expect(r).toMatchObject({ code: '2.05', success: true })
    expect(r.violations).toEqual([expect.objectContaining({ rule: 'lwm2m.unexpected-success-code', severity: 'error', message: 'Execute succeeds with 2.04; the device answered 2.05' })])
  })

  it('RFC 7641 §4.1: an Observe answered without the Observe option is a value, not an observation, and the result says so', async () => {
    dev.script.set('/3303/0/5700', () => ({ code: 69, options: [cf(0)], payload: text('22.5') }))
    const r = await bench.call<OperationResultDto & { observationId: string | null }>('devices.observe', { endpoint: 'sloppy', path: '/3303/0/5700' })
    expect(r).toMatchObject({ code: '2.05', observationId: null, records: [{ value: 22.5 }] })
    expect(r.notes?.join(' ')).toMatch(/did not start an observation/)
    expect((await bench.call<DeviceDetail>('devices.get', { endpoint: 'sloppy' })).observations).toEqual([])
  })

  it('a device that fails in its own default format (Wakaama without TLV answers 5.00 to a Read with no Accept) is asked again in a format it announced', async () => {
    const d2 = new SloppyDevice()
    await d2.start()
    expect((await d2.register(['ep=own-default', 'lt=300', 'lwm2m=1.1'], '</>;ct=110,</1/0>,</3/0>')).code).toBe(65)
    d2.script.set('/3/0/0', (m) => {
      const accept = m.options.find((o) => o.number === Option.ACCEPT)
      return accept === undefined ? { code: 160 } : { code: 69, options: [cf(110)], payload: text(JSON.stringify([{ n: '/3/0/0', vs: 'Open Mobile Alliance' }])) }
    })
    const r = await read('own-default', '/3/0/0')
    expect(r).toMatchObject({ code: '2.05', contentFormat: 110, records: [{ path: '/3/0/0', value: 'Open Mobile Alliance' }] })
    expect(r.steps?.map((s) => s.code)).toEqual(['5.00', '2.05'])
    expect(r.notes?.join(' ')).toMatch(/answered 5\.00; asked again for senml-json \(110\), a format it announced/)
    expect(d2.got.map((m) => m.options.find((o) => o.number === Option.ACCEPT)?.value)).toEqual([undefined, uint(110)])
    // A format the user chose is never changed behind their back.
    d2.script.set('/3/0/1', () => ({ code: 160 }))
    const chosen = await read('own-default', '/3/0/1', { format: 'tlv' })
    expect(chosen.code).toBe('5.00')
    expect(chosen.steps ?? []).toEqual([])
    expect(d2.got.filter((m) => uriPath(m) === '/3/0/1')).toHaveLength(1)
    d2.close()
  })

  it('Create (T §6.4.4, C §7.1): a Location-Path that names no instance of the object is flagged; /O/I is not', async () => {
    const locations = [['3303', 'abc'], ['3303', '65535'], ['3303', '7', '5700'], ['rd', '7'], ['3303', '7']]
    for (const loc of locations) {
      dev.script.set('/3303', () => ({ code: 65, options: loc.map((x) => ({ number: Option.LOCATION_PATH, value: text(x) })) }))
      const r = await bench.call<OperationResultDto>('devices.create', { endpoint: 'sloppy', path: '/3303', records: [{ path: '/3303/7/5700', type: 'float', value: 1 }] })
      expect(r.code).toBe('2.01')
      const rules = r.violations.map((v) => v.rule)
      if (loc.join('/') === '3303/7') expect(rules).toEqual([])
      else expect(rules, loc.join('/')).toEqual(['lwm2m.create-location'])
    }
  })

  it('RFC 7959 §2.4: a Block2 answer stuck at block 0 fails at once, and the device is read right after', async () => {
    dev.script.set('/3/0/2', () => ({ code: 69, options: [cf(0), { number: Option.BLOCK2, value: uint(0x08) }], payload: text('B'.repeat(16)) }))
    const t0 = Date.now()
    await expect(read('sloppy', '/3/0/2')).rejects.toThrow(/asked for the block at byte 16, got another/)
    expect(Date.now() - t0).toBeLessThan(3000)
    dev.script.set('/3/0/3', () => ({ code: 69, options: [cf(0)], payload: text('1.0') }))
    expect(await read('sloppy', '/3/0/3')).toMatchObject({ code: '2.05', records: [{ value: '1.0' }] })
  })
})

describe('Send (/dp) that a device gets wrong is refused with the reason, so it does not count it as delivered (T Tbl 6.4.5-1: 4.00 rule violation, 4.04 object not registered)', () => {
  let dev: SloppyDevice
  beforeAll(async () => {
    dev = new SloppyDevice()
    await dev.start()
    expect((await dev.register(['ep=sender', 'lt=300', 'lwm2m=1.1'], '</1/0>,</3/0>,</3303/0>,</3303/1>,</3342>')).code).toBe(65)
  })
  afterAll(() => dev.close())
  const reason = (m: CoapMessage) => new TextDecoder().decode(m.payload)
  const sends = async () => (await bench.call<{ entries: TimelineEntryDto[] }>('devices.timeline', { endpoint: 'sender' })).entries.filter((e) => e.kind === 'send').map((e) => e.text)

  it('a well-formed pack of registered instances is taken (2.04), also an instance of an object listed without instances', async () => {
    const ok = await dev.post('dp', [], JSON.stringify([{ bn: '/3303/1/', n: '5700', v: 21.5 }, { bn: '/3342/4/', n: '5500', vb: true }]), 110)
    expect(ok.code).toBe(68)
    expect((await sends()).at(-1)).toBe('Send: 2 value(s)')
  })

  it('broken SenML JSON draws 4.00 naming the problem', async () => {
    const a = await dev.post('dp', [], '[{"n":', 110)
    expect(a.code).toBe(128)
    expect(reason(a)).toMatch(/^the Send payload is broken: /)
    expect((await sends()).at(-1)).toMatch(/^Send refused \(4\.00\)/)
  })

  it('a format Send does not use (TLV, plain text) draws 4.00 naming the formats it takes', async () => {
    for (const format of [11542, 0]) {
      const a = await dev.post('dp', [], '21.5', format)
      expect(a.code).toBe(128)
      expect(reason(a)).toBe(`Send takes SenML JSON (110), SenML CBOR (112) or LwM2M CBOR (11544), not ${format}`)
    }
  })

  it('a value of an instance the device did not register draws 4.04', async () => {
    for (const n of ['/3303/7/5700', '/9999/0/1']) {
      const a = await dev.post('dp', [], JSON.stringify([{ n, v: 1 }]), 110)
      expect(a.code).toBe(132)
      expect(reason(a)).toBe(`${n.split('/').slice(0, 4).join('/')} is not in the object list the device registered`)
    }
    const events = bench.events.filter(([name]) => name === 'devices.send').length
    expect(events).toBe(1) // only the one that was taken
  })
})
