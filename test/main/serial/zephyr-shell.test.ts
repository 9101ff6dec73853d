// SPDX-License-Identifier: Apache-2.0
// Shell provisioning (issue 17 item 4) against a pty peer that imitates Zephyr's LwM2M shell
// (subsys/net/lib/lwm2m/lwm2m_shell.c): prompt "uart:~$ ", echo of each line, shell_error lines
// in red for what it refuses. The peer is written here; the commands the workbench sends are
// checked against the shell's syntax (lwm2m write PATH [-b|-u8|-u16|-u32] VALUE, create, start EP -b F).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { BootstrapConfig, BootstrapRunDto } from '../../../src-main/contract/bootstrap'
import type { SerialProvisionResult } from '../../../src-main/contract/serial'
import { LineSplitter } from '../../../src-main/core/serial/line-splitter'
import { zephyrShellScript } from '../../../src-main/core/serial/zephyr-shell'
import { SerialLink } from '../../../src-main/transports/serial'
import { ptyPair, type PtyPair } from '../../helpers/pty-pair'
import { startBench, type SimBench } from '../../helpers/simulator'

const PROMPT = 'uart:~$ '
const red = (s: string): string => `\x1b[1;31m${s}\x1b[0m\r\n`
const TYPES = new Set(['-s', '-b', '-u8', '-u16', '-u32', '-u64', '-s8', '-s16', '-s32', '-s64', '-f', '-t'])

/** What a Zephyr shell answers (from lwm2m_shell.c's messages); `refuse` names a command to fail. */
function zephyrAnswer(line: string, state: { started: boolean; refuse?: string }): string {
  const argv = line.trim().split(/\s+/)
  if (line.trim() === '') return ''
  if (argv[0] !== 'lwm2m') return red(`${argv[0]}: command not found`)
  if (state.refuse && line.trim() === state.refuse) return red("can't do write operation, request failed (err -22)")
  switch (argv[1]) {
    case 'stop':
      if (!state.started) return red("can't do stop operation, request failed (err -1)")
      state.started = false
      return ''
    case 'create':
      return argv.length === 3 ? '' : red('No object ID given')
    case 'write':
      if (argv.length === 4) return ''
      if (argv.length === 5 && TYPES.has(argv[3] as string)) return /^-?[0-9]+$/.test(argv[4] as string) || argv[3] === '-s' ? '' : red(`Invalid number: ${argv[4]}`)
      return red(`can't recognize data type ${argv[3]}`)
    case 'start':
      if (argv.length === 5 && argv[3] === '-b') {
        state.started = true
        return '[00:00:01.000,000] <inf> net_lwm2m_rd_client: RD Client started with endpoint ' + argv[2] + '\r\n'
      }
      return red('no specifier or value')
    default:
      return red(`lwm2m: wrong parameter count`)
  }
}

interface FakeShell {
  readonly received: string[]
  close(): Promise<void>
}

async function fakeZephyrShell(path: string, opts: { refuse?: string; silent?: boolean } = {}): Promise<FakeShell> {
  const received: string[] = []
  const state: { started: boolean; refuse?: string } = { started: false, ...(opts.refuse ? { refuse: opts.refuse } : {}) }
  let link: SerialLink | null = null
  const splitter = new LineSplitter((line) => {
    received.push(line)
    if (opts.silent || !link) return
    // The shell echoes what was typed, then answers, then prompts again.
    void link.writeText(`${line}\r\n${zephyrAnswer(line, state)}${PROMPT}`)
  })
  link = await SerialLink.open({ path, framing: 'raw', baudRate: 115200, onConsole: (t) => splitter.pushText(t) })
  return { received, close: () => (link as SerialLink).close() }
}

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
    expect(r.steps[0]).toMatchObject({ command: 'lwm2m stop', ok: false })
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
