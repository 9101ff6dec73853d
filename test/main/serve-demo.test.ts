// `lwm2m-wb serve --demo N` (issue 14 item 6): N simulated devices register with the instance's own
// LwM2M Server, one in queue mode, and their sensor values change between two Reads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, runCliAsync, serve, type Served } from '../helpers/cli'
import { tempDir } from '../helpers/temp-dir'

interface DeviceRow { endpoint: string; queueMode: boolean; state: string }

async function call(dataDir: string, method: string, params: unknown = {}): Promise<Record<string, unknown>> {
  const r = await runCliAsync(['call', method, JSON.stringify(params), '--data-dir', dataDir])
  if (r.status !== 0) throw new Error(`${method}: ${r.stderr}`)
  return JSON.parse(r.stdout) as Record<string, unknown>
}

/** The temperature as the server decoded it from a Read of /3303/0/5700. */
async function temperature(dataDir: string): Promise<number> {
  const r = (await call(dataDir, 'devices.read', { endpoint: 'demo-0', path: '/3303/0/5700' })) as { code: string; records?: { path: string; type: string; value: number }[] }
  expect(r.code).toBe('2.05')
  const rec = r.records?.find((x) => x.path === '/3303/0/5700')
  expect(rec).toBeDefined()
  expect(rec?.type).toBe('float')
  return Number(rec?.value)
}

describe('lwm2m-wb serve --demo 3', () => {
  let data: ReturnType<typeof tempDir>
  let served: Served
  beforeAll(async () => {
    data = tempDir()
    served = await serve(data.path, ['--demo', '3'])
  })
  afterAll(async () => {
    await served.stop()
    data.cleanup()
  })

  it('says what it started', async () => {
    await expect.poll(() => served.output()).toContain('Demo: 1 simulated tracker in queue mode (demo-tracker)')
    expect(served.output()).toMatch(/Demo: 2 simulated sensors \(demo-0 … demo-1\) registering with coap:\/\/127\.0\.0\.1:\d+/)
  })

  it('three devices register with its own server, the tracker in queue mode', async () => {
    let devices: DeviceRow[] = []
    await expect
      .poll(async () => {
        devices = ((await call(data.path, 'devices.list')) as { devices: DeviceRow[] }).devices
        return devices.map((d) => d.endpoint).sort()
      }, { timeout: 15_000, interval: 500 })
      .toEqual(['demo-0', 'demo-1', 'demo-tracker'])
    expect(devices.find((d) => d.endpoint === 'demo-tracker')?.queueMode).toBe(true)
    expect(devices.find((d) => d.endpoint === 'demo-0')?.queueMode).toBe(false)
  })

  it('the sensor values change: two Reads of /3303/0/5700 some seconds apart differ', async () => {
    // The sensor profile moves the temperature every 10 s.
    const first = await temperature(data.path)
    expect(first).toBeGreaterThanOrEqual(18)
    expect(first).toBeLessThanOrEqual(26)
    let second = first
    await expect
      .poll(async () => (second = await temperature(data.path)), { timeout: 25_000, interval: 2000 })
      .not.toBe(first)
    expect(second).toBeGreaterThanOrEqual(18)
  }, 40_000)
})

describe('serve --demo refusals', () => {
  it('a bad count and --demo with --no-coap are usage errors', () => {
    expect(runCli(['serve', '--demo', 'many']).stderr).toMatch(/--demo must be a number of devices/)
    const r = runCli(['serve', '--demo', '2', '--no-coap'])
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/--demo needs the LwM2M Server/)
  })

  it('--help documents --demo', () => {
    expect(runCli(['serve', '--help']).stdout).toContain('--demo <n>')
  })
})
