// SPDX-License-Identifier: Apache-2.0
// Shell provisioning (issue 17 item 4) against a pty peer that imitates Zephyr's LwM2M shell
// (test/helpers/zephyr-shell-peer.ts); the commands the workbench sends are checked against the
// shell's syntax (lwm2m write PATH [-b|-u8|-u16|-u32] VALUE, create, start EP -b F).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { BootstrapConfig, BootstrapRunDto } from '../../../src-main/contract/bootstrap'
import type { SerialProvisionResult } from '../../../src-main/contract/serial'
import { zephyrShellScript } from '../../../src-main/core/serial/zephyr-shell'
import { ptyPair, type PtyPair } from '../../helpers/pty-pair'
import { startBench, type SimBench } from '../../helpers/simulator'
import { fakeZephyrShell, type FakeShell } from '../../helpers/zephyr-shell-peer'

let bench: SimBench
let pair: PtyPair
let shell: FakeShell | null = null
const call = <T>(m: string, p: unknown): Promise<T> => bench.call<T>(m, p)

const config: BootstrapConfig = {
  endpoint: 'zephyr-1',
  discoverFirst: false,
  deletePaths: [],
  security: [{ instanceId: 0, uri: 'coap+uart://ttyACM0', bootstrapServer: false, securityMode: 3, shortServerId: 101 }],
  servers: [{ instanceId: 0, shortServerId: 101, lifetime: 300, notificationStoring: false, binding: 'U' }],
  contentFormat: 'auto',
  allowPack: false
}

beforeAll(async () => {
  bench = await startBench()
  await call('bootstrap.configs.put', { config })
})
afterEach(async () => {
  await call('serial.close', { path: pair.a })
  await shell?.close()
  await pair.stop()
})
afterAll(async () => bench?.close())

async function setUp(opts: { refuse?: string; silent?: boolean } = {}): Promise<void> {
  pair = await ptyPair()
  shell = await fakeZephyrShell(pair.b, opts)
  await call('serial.open', { path: pair.a, baudRate: 115200, framing: 'raw' })
}

describe('serial.provision, dialect zephyr-shell', () => {
  it('writes /0 and /1 with the shell syntax of lwm2m_shell.c, starts the client, and records the run', async () => {
    await setUp()
    const r = await call<SerialProvisionResult>('serial.provision', { path: pair.a, endpoint: 'zephyr-1', dialect: 'zephyr-shell' })
    expect(r.problem).toBeNull()
    expect(shell?.received).toEqual([
      '',
      'lwm2m stop',
      'lwm2m create /0/0',
      'lwm2m write /0/0/0 coap+uart://ttyACM0',
      'lwm2m write /0/0/1 -b 0',
      'lwm2m write /0/0/2 -u8 3',
      'lwm2m write /0/0/10 -u16 101',
      'lwm2m create /1/0',
      'lwm2m write /1/0/0 -u16 101',
      'lwm2m write /1/0/1 -u32 300',
      'lwm2m write /1/0/6 -b 0',
      'lwm2m write /1/0/7 U',
      'lwm2m start zephyr-1 -b 0'
    ])
    expect(r.ok).toBe(true)
    // The tolerated stop failed (not started yet); its answer, echo included, is kept.
    expect(r.steps[0]).toMatchObject({ command: 'lwm2m stop', ok: false, tolerated: true })
    expect(r.steps[0]?.answer).toContain("can't do stop operation")
    expect(r.steps.at(-1)?.answer).toContain('RD Client started with endpoint zephyr-1')
    const { runs } = await call<{ runs: BootstrapRunDto[] }>('bootstrap.runs.list', { endpoint: 'zephyr-1' })
    expect(runs[0]).toMatchObject({ kind: 'shell', outcome: 'success', peer: pair.a })
    expect(runs[0]?.steps.map((s) => s.request)).toContain('lwm2m write /1/0/1 -u32 300')
    // The console shows what was sent, marked as ours.
    const page = await call<{ lines: { source: string; text: string }[] }>('serial.console', { path: pair.a })
    expect(page.lines).toContainEqual(expect.objectContaining({ source: 'host', text: 'lwm2m start zephyr-1 -b 0' }))
  })

  it('stops at the first refused command and says which and why; the run is recorded as failed', async () => {
    await setUp({ refuse: 'lwm2m write /1/0/1 -u32 300' })
    const r = await call<SerialProvisionResult>('serial.provision', { path: pair.a, endpoint: 'zephyr-1', dialect: 'zephyr-shell' })
    expect(r.ok).toBe(false)
    expect(r.problem).toContain('"lwm2m write /1/0/1 -u32 300" failed')
    expect(r.problem).toContain('err -22')
    expect(shell?.received).not.toContain('lwm2m start zephyr-1 -b 0')
    const { runs } = await call<{ runs: BootstrapRunDto[] }>('bootstrap.runs.list', { endpoint: 'zephyr-1' })
    expect(runs[0]).toMatchObject({ kind: 'shell', outcome: 'failed' })
  })

  it('a device that never shows a prompt fails with a plain reason, not a hang', async () => {
    await setUp({ silent: true })
    const r = await call<SerialProvisionResult>('serial.provision', { path: pair.a, endpoint: 'zephyr-1', dialect: 'zephyr-shell' })
    expect(r).toMatchObject({ ok: false, steps: [] })
    expect(r.problem).toMatch(/no shell prompt/)
  }, 15_000)

  it('refuses accounts with keys (the shell writes text and numbers only) and endpoints without a configuration', async () => {
    expect(zephyrShellScript({ ...config, security: [{ ...config.security[0]!, securityMode: 0, secretKey: '00' }] }, 'x')).toMatchObject({ problem: expect.stringContaining('only NoSec') })
    await setUp()
    await expect(call('serial.provision', { path: pair.a, endpoint: 'nobody', dialect: 'zephyr-shell' })).rejects.toThrow(/bootstrap.not_found/)
  })
})
