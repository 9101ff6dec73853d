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
  it('a second Bootstrap-Request while the first sequence runs replaces it: the first stops before its next step, the two never interleave', async () => {
    let release: () => void = () => undefined
    const held = new Promise<void>((r) => (release = r))
    const answers = client.answers
    let holdOnce = true
    client.send = async (_p, req) => {
      client.sent.push(req)
      // The first run's Delete /1 stays unanswered until the client has asked again.
      if (holdOnce && req.method === 'DELETE' && req.path.join('/') === '1') {
        holdOnce = false
        await held
      }
      return answers(req)
    }
    expect(bs.handle(request(['ep=dev1']), null).code).toBe(68)
    await settle()
    expect(client.sent.map((r) => `${r.method} /${r.path.join('/')}`)).toEqual(['GET /', 'DELETE /0', 'DELETE /1'])
    expect(bs.handle(request(['ep=dev1']), null).code).toBe(68)
    await settle()
    release()
    await settle()
    const sent = client.sent.map((r) => `${r.method} /${r.path.join('/')}`)
    // The first run sent nothing after its held Delete; the second ran whole.
    expect(sent).toEqual(['GET /', 'DELETE /0', 'DELETE /1', 'GET /', 'DELETE /0', 'DELETE /1', 'PUT /0/1', 'PUT /1/0', 'POST /bs'])
    expect(runs.map((r) => r.outcome)).toEqual(['success', 'failed'])
    expect(runs[1]?.detail).toMatch(/superseded by a new Bootstrap-Request from 127\.0\.0\.1:40001; stopped before Bootstrap-Write \/0\/1/)
  })

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
    expect(checkConfig(CONFIG).problems).toEqual([])
    const bad = checkConfig({ ...CONFIG, servers: [{ instanceId: 0, shortServerId: 7, lifetime: 1, notificationStoring: false, binding: 'U' }], security: [{ instanceId: 0, uri: 'ftp://x', bootstrapServer: false, securityMode: 0 }] }).problems
    expect(bad.join('\n')).toMatch(/not an LwM2M scheme/)
    expect(bad.join('\n')).toMatch(/Short Server ID/)
    expect(bad.join('\n')).toMatch(/PSK mode needs/)
    expect(bad.join('\n')).toMatch(/no \/0 account has Short Server ID 7/)
  })
})

// Issue 12 item 11 (BS-01, C §6.1.3.3; T §6.4.2 Bootstrap-Discover): a misbehaving client whose
// Discover shows its Bootstrap-Server account at /0/0 — the very id the configuration uses — and
// which would accept a write there. The server must never write that instance.
describe('item 11: the client\'s own Bootstrap-Server account is never overwritten (BS-01)', () => {
  const DISCOVER = '</>;lwm2m=1.2,</0/0>,</0/1>;ssid=101;uri="coap://old",</1/0>;ssid=101,</3/0>'
  const clash: BootstrapConfig = { ...CONFIG, security: [{ ...CONFIG.security[0]!, instanceId: 0 }] }
  beforeEach(() => {
    client.answers = (req) => (req.method === 'GET' ? ok(69, DISCOVER) : ok(req.method === 'DELETE' ? 66 : 68))
  })
  it('Bootstrap-Request: an ordinary Security instance at the BS account\'s id moves to the next free id, and the run records it', async () => {
    configs.set('dev1', clash)
    bs.handle(request(['ep=dev1']), null)
    await settle()
    const writes = client.sent.filter((r) => r.method === 'PUT').map((r) => '/' + r.path.join('/'))
    expect(writes).not.toContain('/0/0')
    expect(writes).toEqual(['/0/1', '/1/0'])
    expect(runs[0]).toMatchObject({ outcome: 'success', bootstrapAccount: 0 })
    expect(runs[0]?.instances).toContainEqual({ configured: '/0/0', used: '/0/1', note: expect.stringMatching(/Bootstrap-Server account/) })
  })
  it('Bootstrap-Request: BS-01 rotation is the one thing that writes the BS account, in place', async () => {
    configs.set('dev1', { ...clash, rotateBootstrapAccount: { uri: 'coap://bs.example:5783', securityMode: 3 } })
    bs.handle(request(['ep=dev1']), null)
    await settle()
    const writes = client.sent.filter((r) => r.method === 'PUT').map((r) => '/' + r.path.join('/'))
    expect(writes).toEqual(['/0/0', '/0/1', '/1/0'])
    const bsWrite = decodePayload(client.sent.find((r) => r.method === 'PUT')!.contentFormat!, client.sent.find((r) => r.method === 'PUT')!.payload!, { path: [0, 0] }).records
    expect(bsWrite.find((r) => r.path.join('/') === '0/0/0')?.value?.value).toBe('coap://bs.example:5783')
  })
  it('Bootstrap-Request: a second Bootstrap-Server account is refused before anything is deleted or written', async () => {
    configs.set('dev1', { ...clash, security: [...clash.security, { instanceId: 5, uri: 'coap://bs2.example', bootstrapServer: true, securityMode: 3 }] })
    bs.handle(request(['ep=dev1']), null)
    await settle()
    expect(client.sent.map((r) => r.method)).toEqual(['GET'])
    expect(runs[0]).toMatchObject({ outcome: 'failed', detail: expect.stringMatching(/already has a Bootstrap-Server account \(\/0\/0\); a second one is refused/) })
  })
  it('Bootstrap-Pack (acc names the BS account, C §6.1.7.7): the Pack leaves /0/0 alone and carries the account at /0/1', () => {
    configs.set('dev1', { ...clash, allowPack: true })
    const res = bs.handle(request(['ep=dev1', 'acc=</0/0>'], ['bspack'], 'GET'), 110)
    expect(res.code).toBe(69)
    const paths = decodePayload(110, res.payload as Uint8Array, { path: [] }).records.map((r) => '/' + r.path.join('/'))
    expect(paths.filter((p) => p.startsWith('/0/0/'))).toEqual([])
    expect(paths).toContain('/0/1/0')
    expect(runs[0]).toMatchObject({ outcome: 'success', bootstrapAccount: 0 })
    expect(runs[0]?.instances).toContainEqual({ configured: '/0/0', used: '/0/1', note: expect.any(String) })
  })
  it('Bootstrap-Pack: a second Bootstrap-Server account is refused with 4.05 and a plain reason', () => {
    configs.set('dev1', { ...clash, allowPack: true, security: [...clash.security, { instanceId: 5, uri: 'coap://bs2.example', bootstrapServer: true, securityMode: 3 }] })
    const res = bs.handle(request(['ep=dev1', 'acc=</0/0>'], ['bspack'], 'GET'), 110)
    expect(res.code).toBe(133)
    expect(new TextDecoder().decode(res.payload)).toMatch(/a second one is refused/)
    expect(runs[0]?.outcome).toBe('failed')
  })
})

describe('item 12: a configuration with problems does not run', () => {
  const placeholder: BootstrapConfig = { ...CONFIG, endpoint: '*', allowPack: true, security: [{ ...CONFIG.security[0]!, uri: 'coap://<server-host>:5683' }] }
  it('Bootstrap-Request is answered 5.00 with the reason, and the refusal is recorded', () => {
    configs.set('*', placeholder)
    const res = bs.handle(request(['ep=stranger']), null)
    expect(res.code).toBe(160)
    expect(new TextDecoder().decode(res.payload)).toMatch(/placeholder/)
    expect(client.sent).toEqual([])
    expect(runs[0]).toMatchObject({ endpoint: 'stranger', outcome: 'failed', detail: expect.stringMatching(/placeholder/) })
  })
  it('Bootstrap-Pack likewise', () => {
    configs.set('*', placeholder)
    const res = bs.handle(request(['ep=stranger'], ['bspack'], 'GET'), 110)
    expect(res.code).toBe(160)
    expect(runs[0]).toMatchObject({ kind: 'pack', outcome: 'failed', detail: expect.stringMatching(/placeholder/) })
  })
})

describe('item 7: endpoint names in Bootstrap-Request and Bootstrap-Pack-Request', () => {
  it('a name breaking the shared rule is answered 4.00 with the reason', () => {
    for (const [path, method] of [[['bs'], 'POST'], [['bspack'], 'GET']] as const) {
      const res = bs.handle(request(['ep=dev\u0007'], [...path], method), 110)
      expect(res.code).toBe(128)
      expect(new TextDecoder().decode(res.payload)).toMatch(/control character/)
    }
    expect(bs.handle(request([`ep=${'x'.repeat(257)}`]), null).code).toBe(128)
  })
})

describe('item 14: a run shows what it wrote', () => {
  it('which configuration matched, each value written with secrets masked, and the instance ids', async () => {
    configs.set('*', {
      ...CONFIG,
      endpoint: '*',
      security: [{ ...CONFIG.security[0]!, securityMode: 0, publicKeyOrIdentity: 'dev9', identityEncoding: 'text', secretKey: '000102030405060708090a0b0c0d0e0f', secretKeyEncoding: 'hex' }]
    })
    bs.handle(request(['ep=dev9']), null)
    await settle()
    const run = runs[0]!
    expect(run.config).toEqual({ endpoint: '*', matched: 'default' })
    expect(run.written).toContainEqual({ path: '/0/1/0', type: 'string', value: 'coap://127.0.0.1:5683' })
    expect(run.written).toContainEqual({ path: '/1/0/1', type: 'integer', value: '300' })
    const secret = run.written.find((w) => w.path === '/0/1/5')
    expect(secret?.value).toMatch(/16 bytes/)
    expect(JSON.stringify(run)).not.toContain('000102030405060708090a0b0c0d0e0f')
    expect(run.instances).toEqual([
      { configured: '/0/1', used: '/0/1', note: null },
      { configured: '/1/0', used: '/1/0', note: null }
    ])
  })
  it('an endpoint\'s own configuration is named as such', async () => {
    bs.handle(request(['ep=dev1']), null)
    await settle()
    expect(runs[0]?.config).toEqual({ endpoint: 'dev1', matched: 'endpoint' })
  })
})
