// Issue 14 "Done when": `lwm2m-wb simulate --server coap://127.0.0.1:PORT --count 200 --prefix
// fleet-` against a running `lwm2m-wb serve` registers 200 devices that answer Reads through
// `lwm2m-wb call devices.read`; a bad URI exits non-zero with the reason; SIGINT de-registers.
import { spawn, type ChildProcess } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DevicesPage } from '../../src-main/contract/devices'
import { BIN, runCliAsync, serve, type Served } from '../helpers/cli'
import { until } from '../helpers/simulator'
import { tempDir } from '../helpers/temp-dir'

let data: ReturnType<typeof tempDir>
let served: Served
let serverPort = 0
const call = async <T>(method: string, params: unknown): Promise<T> => {
  const r = await runCliAsync(['call', method, JSON.stringify(params), '--data-dir', data.path])
  if (r.status !== 0) throw new Error(r.stderr)
  return JSON.parse(r.stdout) as T
}

function simulate(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, 'simulate', ...args])
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (out += d))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, output: () => out, exited }
}

beforeAll(async () => {
  data = tempDir()
  served = await serve(data.path)
  const info = await call<{ capabilities: { listeners: { role: string; port: number }[] } }>('system.info', {})
  serverPort = info.capabilities.listeners.find((l) => l.role === 'LwM2M Server')?.port ?? 0
  expect(serverPort).toBeGreaterThan(0)
})
afterAll(async () => {
  await served?.stop()
  data?.cleanup()
})

describe('lwm2m-wb simulate against lwm2m-wb serve', () => {
  it('--count 200 --prefix fleet-: 200 registered devices that answer Reads; SIGINT de-registers them', async () => {
    const sim = simulate(['--server', `coap://127.0.0.1:${serverPort}`, '--count', '200', '--prefix', 'fleet-'])
    try {
      const page = await until('200 registrations', async () => {
        const p = await call<DevicesPage>('devices.list', { filter: 'fleet-', limit: 1000 })
        return p.total === 200 && p.devices.every((d) => d.state === 'registered') ? p : undefined
      }, 30_000, 250)
      const names = page.devices.map((d) => d.endpoint)
      expect(new Set(names)).toEqual(new Set(Array.from({ length: 200 }, (_, i) => `fleet-${i}`)))
      // Each device has its own socket, so its own source port.
      expect(new Set(page.devices.map((d) => d.address)).size).toBe(200)
      // Not a terminal: one line per change, ending with all 200 registered.
      await until('the summary line', () => (/200 devices: registered 200/.test(sim.output()) ? true : undefined), 10_000)
      expect(sim.output()).toMatch(/started 200 device\(s\): fleet-0, fleet-1, fleet-2, …/)
      for (const ep of ['fleet-0', 'fleet-117', 'fleet-199']) {
        const r = await call<{ code: string; records: { path: string; value: unknown }[] }>('devices.read', { endpoint: ep, path: '/3/0/0' })
        expect(r).toMatchObject({ code: '2.05', records: [{ path: '/3/0/0', value: 'LwM2M Workbench' }] })
      }
      const t = await call<{ code: string; records: { path: string; value: unknown }[] }>('devices.read', { endpoint: 'fleet-42', path: '/3303/0/5700', format: 'senml-json' })
      expect(t.code).toBe('2.05')
      expect(typeof t.records[0]?.value).toBe('number')
    } finally {
      if (sim.child.exitCode === null) sim.child.kill('SIGINT')
    }
    expect(await sim.exited).toBe(130)
    const gone = await call<DevicesPage>('devices.list', { filter: 'fleet-' })
    expect(gone.total).toBe(0)
    const ended = await call<DevicesPage>('devices.list', { filter: 'fleet-', state: 'deregistered', limit: 1000 })
    expect(ended.total).toBe(200)
  })

  it('--json prints one JSON object per change', async () => {
    const sim = simulate(['--server', `coap://127.0.0.1:${serverPort}`, '--endpoint', 'json-1', '--json'])
    try {
      await until('a registered line', () => (sim.output().split('\n').some((l) => l.startsWith('{') && (JSON.parse(l) as { states: { registered: number } }).states.registered === 1) ? true : undefined), 15_000)
    } finally {
      if (sim.child.exitCode === null) sim.child.kill('SIGTERM')
    }
    expect(await sim.exited).toBe(0)
    expect((await call<DevicesPage>('devices.list', { filter: 'json-1' })).total).toBe(0)
  })

  it.each([
    [['--server', 'http://127.0.0.1:5683'], /not a coap:\/\/ URI/],
    [['--server', 'coap://lwm2m.example.com:5683'], /IP address or localhost/],
    [['--server', 'nonsense'], /not a coap:\/\/ URI/],
    [['--count', '3'], /--server URI, --bootstrap URI, --card-file FILE, --card READER or --serial PATH/],
    [['--server', 'coap://127.0.0.1:5683', '--bootstrap', 'coap://127.0.0.1:5783'], /not both/],
    [['--server', 'coap://127.0.0.1:5683', '--count', '0'], /--count must be a positive integer/],
    [['--server', 'coap://127.0.0.1:5683', '--lwm2m', '2.0'], /--lwm2m must be one of/],
    [['--server', 'coap://127.0.0.1:5683', '--profile', 'nope'], /no built-in profile "nope"/],
    [['--card-file', '/nonexistent/card.bin'], /cannot read \/nonexistent\/card.bin/]
  ])('%j exits non-zero with the reason', async (args, reason) => {
    const sim = simulate(args)
    const t = setTimeout(() => sim.child.kill('SIGKILL'), 20_000)
    const code = await sim.exited
    clearTimeout(t)
    expect(code, sim.output()).not.toBe(0)
    expect(code).not.toBeNull()
    expect(sim.output()).toMatch(reason)
  })
})
