// SPDX-License-Identifier: Apache-2.0
// Issue 17 "Done when", through the real bins: `lwm2m-wb simulate --serial B` on one end of a pty
// pair registers through `serial.open` (slipmux) on the other end of a running `lwm2m-wb serve`,
// and is read through `lwm2m-wb call`; its diagnostic text is in serial.console; a stored
// bootstrap configuration provisions a device over the line; `serve --serial` opens at start.
import { spawn, type ChildProcess } from 'node:child_process'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { BootstrapRunDto } from '../../src-main/contract/bootstrap'
import type { DeviceDetail } from '../../src-main/contract/devices'
import type { OpenSerialPortDto, SerialConsolePage } from '../../src-main/contract/serial'
import { BIN, runCliAsync, serve, type Served } from '../helpers/cli'
import { ptyPair, type PtyPair } from '../helpers/pty-pair'
import { until } from '../helpers/simulator'
import { tempDir } from '../helpers/temp-dir'

let data: ReturnType<typeof tempDir>
let served: Served
const pairs: PtyPair[] = []
const sims: ChildProcess[] = []

const call = async <T>(method: string, params: unknown, dir = data.path): Promise<T> => {
  const r = await runCliAsync(['call', method, JSON.stringify(params), '--data-dir', dir])
  if (r.status !== 0) throw new Error(r.stderr)
  return JSON.parse(r.stdout) as T
}

function simulate(args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [BIN, 'simulate', ...args])
  sims.push(child)
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (out += d))
  return { child, output: () => out }
}

async function pair(): Promise<PtyPair> {
  const p = await ptyPair()
  pairs.push(p)
  return p
}

beforeAll(async () => {
  data = tempDir()
  served = await serve(data.path)
})
afterEach(async () => {
  await Promise.all(
    sims.splice(0).map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null) return resolve()
          c.once('exit', () => resolve())
          c.kill('SIGINT')
        })
    )
  )
  for (const p of pairs.splice(0)) await p.stop()
})
afterAll(async () => {
  await served?.stop()
  data?.cleanup()
})

describe('lwm2m-wb over a serial line', () => {
  it('simulate --serial registers through serial.open and is read through lwm2m-wb call; its diagnostic text is in serial.console', async () => {
    const p = await pair()
    const line = await call<OpenSerialPortDto>('serial.open', { path: p.a, baudRate: 115200, framing: 'slipmux' })
    expect(line.uri).toBe('coap+uart://A')
    const sim = simulate(['--serial', p.b, '--endpoint', 'cli-serial'])
    await until('the registration', async () => ((await call<DeviceDetail>('devices.get', { endpoint: 'cli-serial' })).state === 'registered' ? true : undefined), 20_000, 250)
    const read = await call<{ code: string; records: { path: string; value: unknown }[] }>('devices.read', { endpoint: 'cli-serial', path: '/3/0/0' })
    expect(read).toMatchObject({ code: '2.05', records: [{ path: '/3/0/0', value: 'LwM2M Workbench' }] })
    const page = await call<SerialConsolePage>('serial.console', { path: p.a })
    expect(page.lines.map((l) => l.text)).toEqual(expect.arrayContaining([`cli-serial: simulated device on ${p.b}, slipmux`, 'cli-serial: registered']))
    // The line comes from the child's stdout, which may trail what the server already saw.
    await until('"started" printed', () => (/started 1 device/.test(sim.output()) ? true : undefined), 10_000)
    const dev = await call<DeviceDetail>('devices.get', { endpoint: 'cli-serial' })
    expect(dev.address).toBe(p.a)
  })

  it('a stored bootstrap configuration (coap+uart://A) provisions simulate --serial --bootstrap over the line', async () => {
    const p = await pair()
    await call('bootstrap.configs.put', {
      config: {
        endpoint: 'cli-serial-bs',
        discoverFirst: false,
        deletePaths: ['/0', '/1'],
        contentFormat: 'auto',
        allowPack: false,
        security: [{ instanceId: 1, uri: 'coap+uart://A', bootstrapServer: false, securityMode: 3, shortServerId: 9 }],
        servers: [{ instanceId: 0, shortServerId: 9, lifetime: 900, notificationStoring: false, binding: 'U' }]
      }
    })
    await call('serial.open', { path: p.a, baudRate: 115200, framing: 'slipmux' })
    simulate(['--serial', p.b, '--endpoint', 'cli-serial-bs', '--bootstrap', 'coap+uart://A'])
    await until('the registration', async () => ((await call<DeviceDetail>('devices.get', { endpoint: 'cli-serial-bs' })).state === 'registered' ? true : undefined), 20_000, 250)
    const { runs } = await call<{ runs: BootstrapRunDto[] }>('bootstrap.runs.list', { endpoint: 'cli-serial-bs' })
    expect(runs[0]).toMatchObject({ outcome: 'success' })
    expect(await call<DeviceDetail>('devices.get', { endpoint: 'cli-serial-bs' })).toMatchObject({ lifetime: 900, address: p.a })
  })

  it('serve --serial PATH:BAUD:slipmux opens the port at start', async () => {
    const p = await pair()
    const dir = tempDir()
    const s = await serve(dir.path, ['--serial', `${p.a}:57600:slipmux`])
    try {
      await until('the Serial line', () => (s.output().includes(`Serial: ${p.a} (slipmux, 57600 baud) coap+uart://A`) ? true : undefined), 10_000)
      const { open } = await call<{ open: OpenSerialPortDto[] }>('serial.ports', {}, dir.path)
      expect(open).toMatchObject([{ path: p.a, baudRate: 57600, framing: 'slipmux' }])
    } finally {
      await s.stop()
      dir.cleanup()
    }
  })

  it('serial list --json prints a JSON array; serial alone is a usage error', async () => {
    const r = await runCliAsync(['serial', 'list', '--json'])
    expect(r.status).toBe(0)
    expect(Array.isArray(JSON.parse(r.stdout))).toBe(true)
    const bad = await runCliAsync(['serial'])
    expect(bad.status).toBe(2)
    expect(bad.stderr).toMatch(/subcommand: list/)
  })
})
