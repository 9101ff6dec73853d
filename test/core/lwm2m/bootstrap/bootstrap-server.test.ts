// The Bootstrap Server role with a fake clock and a scripted client (C §6.1, T §6.4.2).
import { beforeEach, describe, expect, it } from 'vitest'
import { BootstrapServer, type BootstrapRun } from '../../../../src-main/core/lwm2m/bootstrap/bootstrap-server'
import { checkConfig, type BootstrapConfig } from '../../../../src-main/core/lwm2m/bootstrap/config'
import { decodePayload } from '../../../../src-main/core/lwm2m/formats/all'
import type { DeviceLink, DownlinkRequest, DownlinkResponse, UplinkRequest } from '../../../../src-main/core/lwm2m/server/messages'
import type { PeerAddress } from '../../../../src-main/core/ports'
import { FakeScheduler, SeededRandom } from '../../../helpers/fake-scheduler'

const PEER: PeerAddress = { key: 'udp:127.0.0.1:40001', display: '127.0.0.1:40001' }
const ok = (code = 68, payload = ''): DownlinkResponse => ({ code, contentFormat: payload ? 40 : null, payload: new TextEncoder().encode(payload), observe: null, locationPath: [] })

const CONFIG: BootstrapConfig = {
  endpoint: 'dev1',
  discoverFirst: true,
  deletePaths: ['/0', '/1'],
  security: [
    { instanceId: 1, uri: 'coap://127.0.0.1:5683', bootstrapServer: false, securityMode: 3, shortServerId: 101 }
  ],
  servers: [{ instanceId: 0, shortServerId: 101, lifetime: 300, notificationStoring: true, binding: 'U' }],
  contentFormat: 'auto',
  allowPack: false
}

class ScriptedClient implements DeviceLink {
  sent: DownlinkRequest[] = []
  answers: (req: DownlinkRequest) => DownlinkResponse = (req) =>
    req.method === 'GET' && req.path.length === 0 ? ok(69, '</>;lwm2m=1.0,</0/0>,</1>,</3/0>') : req.method === 'DELETE' ? ok(66) : ok(68)
  async send(_p: PeerAddress, req: DownlinkRequest) {
    this.sent.push(req)
    return this.answers(req)
  }
  async observe(): Promise<never> {
    throw new Error('not used')
  }
}

let clock: FakeScheduler
let client: ScriptedClient
let runs: BootstrapRun[]
let configs: Map<string, BootstrapConfig>
let bs: BootstrapServer
const request = (query: string[], path = ['bs'], method: UplinkRequest['method'] = 'POST'): UplinkRequest => ({ peer: PEER, method, path, query, contentFormat: null, payload: new Uint8Array() })
const settle = async () => {
  clock.advance(0)
  for (let i = 0; i < 20; i++) await Promise.resolve()
}

beforeEach(() => {
  clock = new FakeScheduler()
  client = new ScriptedClient()
  runs = []
  configs = new Map([['dev1', CONFIG]])
  bs = new BootstrapServer({
    link: client,
    scheduler: clock,
    random: new SeededRandom(3),
    models: { get: () => undefined },
    configFor: (ep) => configs.get(ep) ?? configs.get('*'),
    onRun: (run, change) => change === 'finished' && runs.push(run)
  })
})

describe('Bootstrap-Request sequence (C §6.1.3)', () => {
  it('2.04, then Discover → Delete → Write per instance → Finish, each step recorded', async () => {
    expect(bs.handle(request(['ep=dev1']), null).code).toBe(68)
    await settle()
    expect(client.sent.map((r) => `${r.method} /${r.path.join('/')}`)).toEqual(['GET /', 'DELETE /0', 'DELETE /1', 'PUT /0/1', 'PUT /1/0', 'POST /bs'])
    const [run] = runs
    expect(run).toMatchObject({ endpoint: 'dev1', outcome: 'success', clientVersion: '1.0', format: 11542 })
    expect(run?.steps.map((s) => [s.operation, s.code])).toEqual([
      ['Bootstrap-Discover', '2.05'],
      ['Bootstrap-Delete', '2.02'],
      ['Bootstrap-Delete', '2.02'],
      ['Bootstrap-Write', '2.04'],
      ['Bootstrap-Write', '2.04'],
      ['Bootstrap-Finish', '2.04']
    ])
    // VER-01: a 1.0 client gets TLV; the Security write carries the server URI and SSID.
    const write = client.sent[3] as DownlinkRequest
    expect(write.contentFormat).toBe(11542)
    const recs = decodePayload(11542, write.payload as Uint8Array, { path: [0, 1] }).records
    expect(recs.map((r) => r.path.join('/'))).toEqual(['0/1/0', '0/1/1', '0/1/2', '0/1/3', '0/1/4', '0/1/5', '0/1/10'])
  })
  it('4.06 on Bootstrap-Finish is reported as an inconsistent configuration', async () => {
    client.answers = (req) => (req.path[0] === 'bs' ? ok(134) : req.method === 'GET' ? ok(69, '</>;lwm2m=1.1') : ok(68))
    bs.handle(request(['ep=dev1']), null)
    await settle()
    expect(runs[0]).toMatchObject({ outcome: 'failed' })
    expect(runs[0]?.detail).toMatch(/4\.06/)
    expect(runs[0]?.steps.at(-1)).toMatchObject({ operation: 'Bootstrap-Finish', code: '4.06' })
  })
  it('BS-01: rotates the credentials of the BS account Bootstrap-Discover found', async () => {
    configs.set('dev1', { ...CONFIG, rotateBootstrapAccount: { uri: 'coaps://bs.example:5784', securityMode: 0, publicKeyOrIdentity: '6964', secretKey: '00112233' } })
    client.answers = (req) => (req.method === 'GET' ? ok(69, '</>;lwm2m=1.1,</0/7>,</0/1>;ssid=101;uri="coap://x",</1/0>;ssid=101') : ok(req.method === 'DELETE' ? 66 : 68))
    bs.handle(request(['ep=dev1']), null)
    await settle()
    const writes = client.sent.filter((r) => r.method === 'PUT').map((r) => r.path.join('/'))
    expect(writes).toContain('0/7')
    expect(runs[0]?.outcome).toBe('success')
  })
  it('the default configuration "*" serves endpoints without their own; none at all gets 4.00', () => {
    expect(bs.handle(request(['ep=stranger']), null).code).toBe(128)
    configs.set('*', { ...CONFIG, endpoint: '*' })
    expect(bs.handle(request(['ep=stranger']), null).code).toBe(68)
    expect(bs.handle(request([]), null).code).toBe(128)
  })
  it('pct the server cannot write gets 4.15', () => {
    expect(bs.handle(request(['ep=dev1', 'pct=42']), null).code).toBe(143)
  })
})

describe('Bootstrap-Pack-Request (1.2, Opt-01)', () => {
  it('4.05 when the configuration refuses it', () => {
    const r = bs.handle(request(['ep=dev1'], ['bspack'], 'GET'), 112)
    expect(r.code).toBe(133)
    expect(runs[0]).toMatchObject({ kind: 'pack', outcome: 'failed' })
  })
})

describe('configuration checks', () => {
  it('names what is inconsistent', () => {
    expect(checkConfig(CONFIG)).toEqual([])
    const bad = checkConfig({ ...CONFIG, servers: [{ instanceId: 0, shortServerId: 7, lifetime: 1, notificationStoring: false, binding: 'U' }], security: [{ instanceId: 0, uri: 'ftp://x', bootstrapServer: false, securityMode: 0 }] })
    expect(bad.join('\n')).toMatch(/not an LwM2M server URI/)
    expect(bad.join('\n')).toMatch(/Short Server ID/)
    expect(bad.join('\n')).toMatch(/PSK mode needs/)
    expect(bad.join('\n')).toMatch(/no \/0 account has Short Server ID 7/)
  })
})
