// Issue 14: the simulator's CoAP side probed by CoAP stacks no one here wrote — libcoap's
// coap-client and the `coap` npm package — reading /3/0 and observing a sensor on a simulated
// device's own UDP port. A factory device with one server account takes any peer as that server.
import { spawn, spawnSync } from 'node:child_process'
import coap from 'coap'
import { createSocket, type Socket } from 'node:dgram'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SimulatedDeviceDto } from '../../src-main/contract/simulator'
import { startBench, until, allRegistered, type SimBench } from '../helpers/simulator'

function findClient(): string | null {
  for (const name of ['coap-client-notls', 'coap-client']) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' })
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim()
  }
  return null
}
const coapClient = findClient()

let bench: SimBench
let port = 0
const call = <T>(method: string, params: unknown): Promise<T> => bench.call<T>(method, params)
type SenmlJson = Array<{ bn?: string; n?: string; v?: number; vs?: string; vb?: boolean }>
const names = (pack: SenmlJson): Map<string, unknown> => {
  let bn = ''
  const out = new Map<string, unknown>()
  for (const r of pack) {
    if (r.bn !== undefined) bn = r.bn
    out.set(bn + (r.n ?? ''), r.v ?? r.vs ?? r.vb)
  }
  return out
}

beforeAll(async () => {
  bench = await startBench()
  await call('simulator.start', { profile: 'sensor', server: bench.serverUri, endpoint: 'probe-1' })
  await allRegistered(bench, ['probe-1'])
  port = (await call<SimulatedDeviceDto>('simulator.device', { endpoint: 'probe-1' })).localPort as number
  expect(port).toBeGreaterThan(0)
})
afterAll(async () => {
  await bench?.close()
})

/** Runs coap-client to completion. */
function runCoapClient(args: string[], timeoutMs = 20_000): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(coapClient as string, args)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('exit', (status) => {
      clearTimeout(t)
      resolve({ status, stdout, stderr })
    })
  })
}

describe.skipIf(coapClient === null)('libcoap coap-client against a simulated device', () => {
  it('reads /3/0 in SenML JSON and a single resource as text', async () => {
    const r = await runCoapClient(['-B', '10', '-A', '110', `coap://127.0.0.1:${port}/3/0`])
    expect(r.status, r.stderr).toBe(0)
    const values = names(JSON.parse(r.stdout) as SenmlJson)
    expect(values.get('/3/0/0')).toBe('LwM2M Workbench')
    expect(values.get('/3/0/2')).toBe('SN-probe-1')
    const t = await runCoapClient(['-B', '10', '-A', '0', `coap://127.0.0.1:${port}/3303/0/5701`])
    expect(t.stdout.trim()).toBe('Cel')
    // Discover (link format) through libcoap too.
    const d = await runCoapClient(['-B', '10', '-A', '40', `coap://127.0.0.1:${port}/3303/0`])
    expect(d.stdout).toContain('</3303/0/5700>')
  })

  it('observes a sensor (-s 5): the first value and every value set on the device arrive', async () => {
    await call('simulator.set', { endpoint: 'probe-1', path: '/3303/0/5700', value: 20 })
    const child = spawn(coapClient as string, ['-s', '5', '-w', '-B', '10', '-A', '0', `coap://127.0.0.1:${port}/3303/0/5700`])
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)))
    try {
      // The first value (the profile's generator may have moved it on from 20 already).
      await until('the first value', () => (out.split('\n').some((l) => /^-?[0-9.]+$/.test(l)) ? true : undefined), 10_000)
      await until('the device to hold the observation', async () => ((await call<SimulatedDeviceDto>('simulator.device', { endpoint: 'probe-1' })).observations > 0 ? true : undefined))
      for (const v of [21.5, 22.75]) {
        await call('simulator.set', { endpoint: 'probe-1', path: '/3303/0/5700', value: v })
        await until(`notification ${v}`, () => (out.split('\n').includes(String(v)) ? true : undefined), 10_000)
      }
    } finally {
      if (child.exitCode === null) {
        const t = setTimeout(() => child.kill('SIGKILL'), 15_000)
        await exited
        clearTimeout(t)
      }
    }
    // When coap-client's subscription ends it deregisters (GET with Observe=1) or the next
    // notification is reset: either way the device ends up without the observation.
    await call('simulator.set', { endpoint: 'probe-1', path: '/3303/0/5700', value: 23 })
    await until('the observation to end on the device', async () => ((await call<SimulatedDeviceDto>('simulator.device', { endpoint: 'probe-1' })).observations === 0 ? true : undefined), 20_000)
  })
})

/** node-coap's ObserveReadStream, as far as these tests use it. */
type ObserveStream = NodeJS.ReadableStream & { code: string; close(eagerDeregister?: boolean): void }

describe('the coap npm package against a simulated device', () => {
  // The agent's own socket would close when no request is left, taking the deregistration with
  // it; a socket of ours stays open until the end.
  let socket: Socket
  let agent: InstanceType<typeof coap.Agent>
  beforeAll(async () => {
    socket = createSocket('udp4')
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
    agent = new coap.Agent({ socket: socket as never })
  })
  afterAll(async () => {
    agent.close()
    await new Promise<void>((resolve) => socket.close(() => resolve()))
  })

  const get = (pathname: string, accept: string, observe = false) =>
    coap.request({ hostname: '127.0.0.1', port, pathname, method: 'GET', agent, confirmable: true, ...(observe ? { observe: true } : {}) } as never)

  it('reads /3/0 in SenML JSON', async () => {
    const req = get('/3/0', 'application/senml+json')
    req.setOption('Accept', 'application/senml+json')
    const res = await new Promise<{ code: string; payload: Buffer; headers: Record<string, unknown> }>((resolve, reject) => {
      req.on('response', resolve)
      req.on('error', reject)
      req.end()
    })
    expect(res.code).toBe('2.05')
    expect(res.headers['Content-Format']).toBe('application/senml+json')
    const values = names(JSON.parse(res.payload.toString()) as SenmlJson)
    expect(values.get('/3/0/0')).toBe('LwM2M Workbench')
    expect(values.get('/3/0/16')).toBe('U')
  })

  it('observes a sensor: values set on the device arrive as notifications, and closing the stream with deregistration ends the observation', async () => {
    await call('simulator.set', { endpoint: 'probe-1', path: '/3303/0/5700', value: 30 })
    const req = get('/3303/0/5700', 'text/plain', true)
    req.setOption('Accept', 'text/plain')
    const seen: string[] = []
    const res = await new Promise<ObserveStream>((resolve, reject) => {
      req.on('response', resolve)
      req.on('error', reject)
      req.end()
    })
    expect(res.code).toBe('2.05')
    res.on('data', (d: Buffer) => seen.push(d.toString()))
    await until('the first value', () => (seen.some((l) => /^-?[0-9.]+$/.test(l)) ? true : undefined), 10_000)
    for (const v of [31, 32.5]) {
      await call('simulator.set', { endpoint: 'probe-1', path: '/3303/0/5700', value: v })
      await until(`notification ${v}`, () => (seen.includes(String(v)) ? true : undefined), 10_000)
    }
    // Eager deregistration: GET with Observe=1 and the same token (RFC 7641 §3.6).
    res.close(true)
    await until('the observation to end on the device', async () => ((await call<SimulatedDeviceDto>('simulator.device', { endpoint: 'probe-1' })).observations === 0 ? true : undefined), 20_000)
  })

  it('a notification node-coap no longer wants is reset (RST), and the device drops the observation', async () => {
    const req = get('/3303/0/5700', 'text/plain', true)
    req.setOption('Accept', 'text/plain')
    const res = await new Promise<ObserveStream>((resolve, reject) => {
      req.on('response', resolve)
      req.on('error', reject)
      req.end()
    })
    expect(res.code).toBe('2.05')
    await until('the device to hold the observation', async () => ((await call<SimulatedDeviceDto>('simulator.device', { endpoint: 'probe-1' })).observations > 0 ? true : undefined))
    // Forgotten without a word: the next notification carries a token node-coap no longer knows.
    res.close()
    await call('simulator.set', { endpoint: 'probe-1', path: '/3303/0/5700', value: 34 })
    await until('the observation to end on the device', async () => ((await call<SimulatedDeviceDto>('simulator.device', { endpoint: 'probe-1' })).observations === 0 ? true : undefined), 20_000)
  })
})
