// SPDX-License-Identifier: Apache-2.0
// `lwm2m-wb card` and `lwm2m-wb simulate --card` against real pcscd + vpcd and the virtual UICC:
// the card written from a stored configuration, read back, and a simulated device that takes its
// bootstrap from the card (Bootstrap from Smartcard, C §6.1.3.2; App. G letters per 1.1.1,
// unverified for 1.2) and registers where the card sends it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { DeviceDetail } from '../../../src-main/contract/devices'
import { decodeCardFile } from '../../../src-main/core/lwm2m/bootstrap/card-file'
import { encodeConfigCardFile } from '../../../src-main/core/lwm2m/bootstrap/card-file-encoder'
import type { BootstrapConfig } from '../../../src-main/core/lwm2m/bootstrap/config'
import { createWorkbench } from '../../../src-main/services/workbench'
import { BIN } from '../../helpers/cli'
import { startPcscd, type Pcscd } from '../../helpers/pcscd'
import { allRegistered, startBench, until, type SimBench } from '../../helpers/simulator'
import { tempDir } from '../../helpers/temp-dir'
import { VirtualCard } from '../../helpers/virtual-card'

const READER = 'Virtual PCD 00 00'
let pcscd: Pcscd
let bench: SimBench
const dir = tempDir()

function run(args: string[], input?: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args])
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    child.on('exit', (code) => resolve({ code, out, err }))
    child.stdin.end(input ?? '')
  })
}

const config = (uri: string): BootstrapConfig => ({
  endpoint: 'card-cli-1',
  discoverFirst: false,
  deletePaths: [],
  security: [{ instanceId: 0, uri, bootstrapServer: false, securityMode: 3, shortServerId: 55 }],
  servers: [{ instanceId: 0, shortServerId: 55, lifetime: 3210, notificationStoring: false, binding: 'U' }],
  contentFormat: 'auto',
  allowPack: true
})

beforeAll(async () => {
  pcscd = await startPcscd()
  bench = await startBench()
}, 180_000)

afterAll(async () => {
  await bench?.close()
  await pcscd?.stop()
  dir.cleanup()
})

async function inserted(opts: Parameters<typeof VirtualCard.start>[0]): Promise<VirtualCard> {
  const card = await VirtualCard.start(opts)
  await card.insert()
  await until('card listed', async () => {
    const r = await run(['card', 'list', '--json', '--data-dir', dir.path])
    const readers = (JSON.parse(r.out) as { readers: { name: string; present: boolean }[] }).readers
    return readers.find((x) => x.name === READER)?.present ? true : undefined
  }, 20_000, 200)
  return card
}

describe('lwm2m-wb card and simulate --card', () => {
  it('card write (ADM on stdin, never argv) → card read shows the configuration; --adm on the command line is refused', async () => {
    const card = await inserted({})
    try {
      // The configuration goes into the same data dir the CLI then uses.
      const wb = createWorkbench({ dataDir: dir.path, log: () => {} })
      const o = await wb.dispatcher.dispatch('bootstrap.configs.put', { config: config('coap://127.0.0.1:5683') }, { carrier: 'in-process' })
      await wb.close()
      expect(o.ok).toBe(true)
      const refused = await run(['card', 'write', READER, '--endpoint', 'card-cli-1', '--adm', '12345678', '--data-dir', dir.path])
      expect(refused.code).toBe(2)
      expect(refused.err).toMatch(/never taken on the command line/)

      const admFile = join(dir.path, 'adm.txt')
      writeFileSync(admFile, '87654321\n', { mode: 0o600 })
      const wrong = await run(['card', 'write', READER, '--endpoint', 'card-cli-1', '--adm-file', admFile, '--data-dir', dir.path])
      expect(wrong.code).toBe(1)
      expect(wrong.err).toMatch(/refused the ADM key: 2 tries left/)

      const w = await run(['card', 'write', READER, '--endpoint', 'card-cli-1', '--adm-file', '-', '--json', '--data-dir', dir.path], '12345678\n')
      expect(w.code, w.err).toBe(0)
      expect(JSON.parse(w.out).record).toMatchObject({ outcome: 'written', fileState: 'valid' })
      expect(w.out).not.toContain(Buffer.from('12345678').toString('hex'))

      const r = await run(['card', 'read', READER, '--data-dir', dir.path])
      expect(r.code, r.err).toBe(0)
      expect(r.out).toMatch(/\/1\/0\/1 = 3210/)
      expect(r.out).toMatch(/\/0\/0\/0 = "coap:\/\/127\.0\.0\.1:5683"/)
      expect(decodeCardFile((await card.state()).bootstrapFile).violations).toEqual([])
    } finally {
      await card.stop()
    }
  })

  it('simulate --card READER: the device bootstraps from the card and registers where the card sends it; a removed card takes it away, a changed card replaces it (C §6.1.3.2)', async () => {
    let card = await inserted({ t0: true, bootstrap: encodeConfigCardFile(config(bench.serverUri)) })
    const child = spawn(process.execPath, [BIN, 'simulate', '--card', READER, '--endpoint', 'card-sim-1'])
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    try {
      await allRegistered(bench, ['card-sim-1'], 30_000)
      expect(await bench.call<DeviceDetail>('devices.get', { endpoint: 'card-sim-1' })).toMatchObject({ lifetime: 3210 })
      await until('"started" printed', () => (/started 1 device/.test(out) ? true : undefined), 10_000)

      await card.stop()
      await until('de-registered after the card left', async () => ((await bench.call<{ total: number }>('devices.list', { filter: 'card-sim-1' })).total === 0 ? true : undefined), 20_000)
      // The CLI says so once the device has de-registered: the line may trail the server's view.
      await until('"card removed" printed', () => (/card removed/.test(out) ? true : undefined), 10_000)

      const changed = { ...config(bench.serverUri), servers: [{ instanceId: 0, shortServerId: 55, lifetime: 1234, notificationStoring: false, binding: 'U' }] }
      card = await VirtualCard.start({ bootstrap: encodeConfigCardFile(changed) })
      await card.insert()
      await until('registered from the new card', async () => {
        const d = await bench.call<DeviceDetail>('devices.get', { endpoint: 'card-sim-1' }).catch(() => undefined)
        return d?.lifetime === 1234 ? d : undefined
      }, 30_000)
      await until('"card changed" printed', () => (/card changed/.test(out) ? true : undefined), 10_000)
    } finally {
      if (child.exitCode === null) child.kill('SIGINT')
      // Bounded, so that a child that does not stop shows as itself, not as this test's timeout.
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000)
      await exited
      clearTimeout(killer)
      await card.stop()
    }
  }, 150_000)

  it('simulate --card with a card without the PKCS#15 application exits non-zero with a plain reason', async () => {
    const card = await inserted({ noApplication: true })
    try {
      const r = await run(['simulate', '--card', READER, '--endpoint', 'card-sim-2'])
      expect(r.code).toBe(1)
      expect(r.err).toMatch(/no PKCS#15 application/)
    } finally {
      await card.stop()
    }
  })
})
