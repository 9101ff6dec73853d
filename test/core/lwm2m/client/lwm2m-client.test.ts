// One simulated client (Lwm2mClient) over a real CoapEndpoint and the real CoAP codec, talking
// through an in-memory network on the fake clock to small scripted "server" and "bootstrap
// server" endpoints: registration, Read, bootstrap (Request flow and 1.2 Pack, Opt-01), queue
// mode (T §6.5) and firmware update push (C App. E.6).
import { describe, expect, it } from 'vitest'
import { coapCodec } from '../../../../src-main/core/coap/codec'
import { CoapEndpoint, type CoapNotification, type IncomingRequest, type OutgoingResponse } from '../../../../src-main/core/coap/endpoint'
import { Method, Option, Response, type CoapMessage } from '../../../../src-main/core/coap/message'
import { pathOptions, uintOptionOf, uriPath, uriQuery } from '../../../../src-main/core/coap/options'
import { factoryRecords } from '../../../../src-main/core/lwm2m/client/device-plan'
import { Lwm2mClient, type Lwm2mClientOptions } from '../../../../src-main/core/lwm2m/client/lwm2m-client'
import { CF } from '../../../../src-main/core/lwm2m/content-format'
import { encodePayload } from '../../../../src-main/core/lwm2m/formats/all'
import type { Lwm2mRecord } from '../../../../src-main/core/lwm2m/record'
import { SeededRandom } from '../../../helpers/fake-scheduler'
import { FakeScheduler } from '../../coap/helpers/fake-scheduler'
import { address, LossyNetwork } from '../../coap/helpers/lossy-network'
import { bool, data, decode, int, models, NONE, opaque, p, str, text } from './fixtures'

const CLIENT = address('client')
const SERVER = address('server')
const BS = address('bs')
const S = 1000

interface Seen {
  readonly at: number
  readonly method: number
  readonly path: string[]
  readonly query: string[]
  readonly payload: Uint8Array
}

/** A CoAP endpoint answering from `answer` and recording every request it got. */
function peer(net: LossyNetwork, clock: FakeScheduler, self: typeof SERVER, seed: number, answer: (r: IncomingRequest, path: string[]) => OutgoingResponse) {
  const endpoint = new CoapEndpoint({ link: net.link(self), codec: coapCodec, scheduler: clock, random: new SeededRandom(seed) })
  const seen: Seen[] = []
  endpoint.onRequest((r) => {
    const m = { type: 'CON', code: r.code, messageId: 0, token: r.token, options: r.options, payload: r.payload } as CoapMessage
    const path = uriPath(m)
    seen.push({ at: clock.now(), method: r.code, path, query: uriQuery(m), payload: r.payload })
    return answer(r, path)
  })
  return { endpoint, seen }
}

/** A server that takes Register (2.01, Location rd/5a3f), Update (2.04) and De-register (2.02). */
function lwm2mServer(net: LossyNetwork, clock: FakeScheduler) {
  return peer(net, clock, SERVER, 2, (r, path) => {
    if (r.code === Method.POST && path.length === 1 && path[0] === 'rd') return { code: Response.CREATED, options: pathOptions(['rd', '5a3f']).map((o) => ({ ...o, number: Option.LOCATION_PATH })) }
    if (r.code === Method.POST && path[0] === 'rd') return { code: Response.CHANGED }
    if (r.code === Method.DELETE && path[0] === 'rd') return { code: Response.DELETED }
    return { code: Response.NOT_FOUND }
  })
}

const registers = (seen: Seen[]) => seen.filter((s) => s.method === Method.POST && s.path.join('/') === 'rd')
const updates = (seen: Seen[]) => seen.filter((s) => s.method === Method.POST && s.path.join('/') === 'rd/5a3f')

function device(overrides: Partial<Lwm2mClientOptions> = {}) {
  const clock = new FakeScheduler()
  const net = new LossyNetwork(clock)
  const server = lwm2mServer(net, clock)
  const options: Lwm2mClientOptions = {
    endpoint: 'urn:dev:os:sim-1',
    link: net.link(CLIENT),
    codec: coapCodec,
    scheduler: clock,
    random: new SeededRandom(1),
    wallClock: () => 1_700_000_000 + Math.floor(clock.now() / 1000),
    models,
    peerFor: (uri) => (uri.includes('//bs') ? BS : uri.includes('//server') ? SERVER : null),
    version: '1.2',
    preferredFormat: CF.SENML_CBOR,
    queue: null,
    objects: [
      { id: 3, version: null, instances: [{ id: 0, data: data({ 0: str('ACME'), 2: str('SN1'), 3: str('1.0.0'), 4: NONE, 9: int(80), 11: [int(0)], 16: str('U') }) }] },
      { id: 5, version: null, instances: [{ id: 0, data: data({ 0: opaque(), 1: str(''), 2: NONE, 3: int(0), 5: int(0), 9: int(0) }) }] }
    ],
    factory: factoryRecords({ server: 'coap://server', lifetime: 300, queue: false }),
    firmwareUpdateMs: 2000,
    ...overrides
  }
  const client = new Lwm2mClient(options)
  return { clock, net, server, client }
}

const get = (ep: CoapEndpoint, clock: FakeScheduler, path: string, accept?: number) =>
  clock.run(ep.request(CLIENT, { code: Method.GET, options: [...pathOptions(path.split('/').filter(Boolean)), ...(accept === undefined ? [] : [uintOptionOf(Option.ACCEPT, accept)])] }))

describe('Register, then the server reads (C §6.2.1, §6.3.1)', () => {
  it('registers to the factory server with 2.01 + Location, then answers a Read of /3/0/0 and /3/0', async () => {
    const { clock, server, client } = device()
    client.start()
    await clock.advance(1 * S)
    expect(registers(server.seen)).toHaveLength(1)
    expect(registers(server.seen)[0]?.query).toContain('ep=urn:dev:os:sim-1')
    expect(client.state).toBe('registered')
    expect(client.servers()[0]).toMatchObject({ ssid: 101, state: 'registered', location: ['rd', '5a3f'] })
    const r = await get(server.endpoint, clock, '3/0/0')
    expect(r.code).toBe(Response.CONTENT)
    expect(decode(r.payload)).toBe('ACME')
    const inst = await get(server.endpoint, clock, '3/0', CF.SENML_JSON)
    expect(decode(inst.payload)).toContain('"ACME"')
  })

  it('De-registers on stop', async () => {
    const { clock, server, client } = device()
    client.start()
    await clock.advance(1 * S)
    await clock.run(client.stop())
    expect(server.seen.at(-1)).toMatchObject({ method: Method.DELETE, path: ['rd', '5a3f'] })
    expect(client.state).toBe('stopped')
  })
})

/** Server account records as a BS would write them (SSID 101, coap://server). */
const accountRecords: Lwm2mRecord[] = factoryRecords({ server: 'coap://server', lifetime: 300, queue: false }).map((r) =>
  r.path[0] === 0 ? { ...r, path: [0, 1, r.path[2] as number] } : r
)

/** A Bootstrap-Server: answers /bspack with `pack`, POST /bs with 2.04, then writes the account and sends Finish. */
function bootstrapServer(net: LossyNetwork, clock: FakeScheduler, pack: 'not-found' | Lwm2mRecord[]) {
  const log: string[] = []
  let flow: Promise<void> | null = null
  const bs = peer(net, clock, BS, 3, (r, path) => {
    if (r.code === Method.GET && path[0] === 'bspack') {
      if (pack === 'not-found') return { code: Response.NOT_FOUND }
      return { code: Response.CONTENT, options: [uintOptionOf(Option.CONTENT_FORMAT, CF.SENML_CBOR)], payload: encodePayload(CF.SENML_CBOR, pack, { path: [], models }) }
    }
    if (r.code === Method.POST && path[0] === 'bs') {
      clock.schedule(10, () => {
        flow = run()
      })
      return { code: Response.CHANGED }
    }
    return { code: Response.BAD_REQUEST }
  })
  const send = async (name: string, code: number, path: string, cf?: number, payload?: Uint8Array) => {
    const r = await bs.endpoint.request(CLIENT, { code, options: [...pathOptions(path.split('/').filter(Boolean)), ...(cf === undefined ? [] : [uintOptionOf(Option.CONTENT_FORMAT, cf)])], ...(payload ? { payload } : {}) })
    log.push(`${name} ${r.code >> 5}.${String(r.code & 31).padStart(2, '0')}`)
  }
  const run = async () => {
    await send('Bootstrap-Delete /', Method.DELETE, '/')
    const sec = accountRecords.filter((x) => x.path[0] === 0)
    const srv = accountRecords.filter((x) => x.path[0] === 1)
    await send('Bootstrap-Write /0/1', Method.PUT, '/0/1', CF.TLV, encodePayload(CF.TLV, sec, { path: p('/0/1'), models }))
    await send('Bootstrap-Write /1/0', Method.PUT, '/1/0', CF.TLV, encodePayload(CF.TLV, srv, { path: p('/1/0'), models }))
    await send('Bootstrap-Finish', Method.POST, '/bs')
  }
  return { ...bs, log, flow: () => flow }
}

describe('Bootstrap (C §6.1)', () => {
  it('Bootstrap-Request (2.04), Bootstrap-Delete and -Writes, Finish: the client then registers to the written server', async () => {
    const { clock, net, server, client } = device({ version: '1.1', factory: factoryRecords({ bootstrap: 'coap://bs', lifetime: 300, queue: false }) })
    const bs = bootstrapServer(net, clock, 'not-found')
    client.start()
    await clock.advance(5 * S)
    expect(bs.seen.map((s) => `${s.method} ${s.path.join('/')}`)).toEqual([`${Method.POST} bs`])
    expect(bs.seen[0]?.query).toEqual(['ep=urn:dev:os:sim-1', `pct=${CF.SENML_CBOR}`])
    expect(bs.log).toEqual(['Bootstrap-Delete / 2.02', 'Bootstrap-Write /0/1 2.04', 'Bootstrap-Write /1/0 2.04', 'Bootstrap-Finish 2.04'])
    expect(registers(server.seen)).toHaveLength(1)
    expect(client.state).toBe('registered')
    // The BS account survived Bootstrap-Delete.
    expect(client.tree.value(0, 0, 1)).toEqual(bool(true))
  })

  it('LwM2M-Opt-01: a 1.2 client asks for the Pack first and, on 4.04, falls back to Bootstrap-Request', async () => {
    const { clock, net, server, client } = device({ factory: factoryRecords({ bootstrap: 'coap://bs', lifetime: 300, queue: false }) })
    const bs = bootstrapServer(net, clock, 'not-found')
    client.start()
    await clock.advance(5 * S)
    expect(bs.seen.map((s) => `${s.method} ${s.path.join('/')}`)).toEqual([`${Method.GET} bspack`, `${Method.POST} bs`])
    expect(bs.seen[0]?.query).toEqual(['ep=urn:dev:os:sim-1'])
    expect(registers(server.seen)).toHaveLength(1)
  })

  it('LwM2M-Opt-01: a usable Pack configures the client at once (no Bootstrap-Request, no Finish)', async () => {
    const { clock, net, server, client } = device({ factory: factoryRecords({ bootstrap: 'coap://bs', lifetime: 300, queue: false }) })
    const bs = bootstrapServer(net, clock, accountRecords)
    client.start()
    await clock.advance(5 * S)
    expect(bs.seen.map((s) => s.path.join('/'))).toEqual(['bspack'])
    expect(registers(server.seen)).toHaveLength(1)
    expect(client.tree.value(0, 1, 0)).toEqual(str('coap://server'))
  })
})

describe('Queue mode (T §6.5)', () => {
  it('sleeps after awakeSeconds (requests are lost), and wakes with an Update when a notification waits', async () => {
    const { clock, server, client } = device({ queue: { awakeSeconds: 30 }, factory: factoryRecords({ server: 'coap://server', lifetime: 3000, queue: true }) })
    client.start()
    await clock.advance(1 * S)
    expect(registers(server.seen)[0]?.query).toContain('Q')
    const got: CoapNotification[] = []
    const obs = await clock.run(server.endpoint.observe(CLIENT, { code: Method.GET, options: pathOptions(['3', '0', '9']) }, (n) => got.push(n)))
    expect(obs.registered).toBe(true)
    await clock.advance(31 * S)
    expect(client.sleeping).toBe(true)
    expect(client.state).toBe('sleeping')
    // A request while the radio is off gets no answer.
    const lost = server.endpoint.request(CLIENT, { code: Method.GET, options: pathOptions(['3', '0', '0']) }, { timeoutMs: 10 * S })
    const outcome = lost.then(() => 'answered', () => 'lost')
    await clock.advance(11 * S)
    expect(await outcome).toBe('lost')
    expect(client.sleeping).toBe(true)
    const before = updates(server.seen).length
    client.setValue([3, 0, 9], int(55))
    await clock.advance(1 * S)
    expect(client.sleeping).toBe(false)
    expect(updates(server.seen)).toHaveLength(before + 1)
    expect(got.map((n) => decode(n.payload))).toContain('55')
    // Awake again: the server's request now gets an answer.
    const r = await get(server.endpoint, clock, '3/0/0')
    expect(decode(r.payload)).toBe('ACME')
  })
})

describe('Firmware update, push (C App. E.6, facts §5.1)', () => {
  const put = (ep: CoapEndpoint, clock: FakeScheduler, path: string, payload: Uint8Array) =>
    clock.run(ep.request(CLIENT, { code: Method.PUT, options: [...pathOptions(path.split('/')), uintOptionOf(Option.CONTENT_FORMAT, CF.OPAQUE)], payload }))
  const exec = (ep: CoapEndpoint, clock: FakeScheduler, path: string) => clock.run(ep.request(CLIENT, { code: Method.POST, options: pathOptions(path.split('/')) }))
  const state = async (ep: CoapEndpoint, clock: FakeScheduler) => [decode((await get(ep, clock, '5/0/3')).payload), decode((await get(ep, clock, '5/0/5')).payload)]

  it('write /5/0/0 → State 2; execute /5/0/2 → State 3 → State 0 with Result 1, new firmware version, and an Update', async () => {
    const { clock, server, client } = device()
    client.start()
    await clock.advance(1 * S)
    expect((await put(server.endpoint, clock, '5/0/0', text('2.0.0\nbinary image'))).code).toBe(Response.CHANGED)
    expect(await state(server.endpoint, clock)).toEqual(['2', '0'])
    const before = updates(server.seen).length
    expect((await exec(server.endpoint, clock, '5/0/2')).code).toBe(Response.CHANGED)
    expect(client.tree.value(5, 0, 3)).toEqual(int(3))
    await clock.advance(2 * S)
    expect(await state(server.endpoint, clock)).toEqual(['0', '1'])
    expect(decode((await get(server.endpoint, clock, '3/0/3')).payload)).toBe('2.0.0')
    expect(updates(server.seen).length).toBeGreaterThan(before)
  })

  it('Execute Update before a package is there is 4.05', async () => {
    const { clock, server, client } = device()
    client.start()
    await clock.advance(1 * S)
    expect((await exec(server.endpoint, clock, '5/0/2')).code).toBe(Response.METHOD_NOT_ALLOWED)
  })

  it('a package failing its integrity check ("CORRUPT…") ends in State 0 with Result 5', async () => {
    const { clock, server, client } = device()
    client.start()
    await clock.advance(1 * S)
    expect((await put(server.endpoint, clock, '5/0/0', text('CORRUPT image'))).code).toBe(Response.CHANGED)
    expect(await state(server.endpoint, clock)).toEqual(['0', '5'])
    expect((await exec(server.endpoint, clock, '5/0/2')).code).toBe(Response.METHOD_NOT_ALLOWED)
  })
})
