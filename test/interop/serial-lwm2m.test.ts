// SPDX-License-Identifier: Apache-2.0
// Issue 17: LwM2M over a serial line in slipmux framing. A simulated device on one end of a real
// pty pair (socat) registers with, or bootstraps from, the workbench's own roles on the other end
// (serial.open), and every DM operation runs over the line: read, observe, a Block2 transfer.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { BootstrapConfig, BootstrapRunDto } from '../../src-main/contract/bootstrap'
import type { DeviceDetail, ObserveResultDto, OperationResultDto } from '../../src-main/contract/devices'
import type { OpenSerialPortDto, SerialConsolePage } from '../../src-main/contract/serial'
import { allRegistered, startBench, until, type SimBench } from '../helpers/simulator'
import { ptyPair, type PtyPair } from '../helpers/pty-pair'

let bench: SimBench
const call = <T>(method: string, params: unknown): Promise<T> => bench.call<T>(method, params)
const pairs: PtyPair[] = []
const fleets: string[] = []

beforeAll(async () => {
  bench = await startBench()
})
afterEach(async () => {
  for (const id of fleets.splice(0)) await call('simulator.stop', { fleetId: id }).catch(() => undefined)
  const open = (await call<{ open: OpenSerialPortDto[] }>('serial.ports', {}).catch(() => ({ open: [] }))).open
  for (const o of open) await call('serial.close', { path: o.path })
  for (const p of pairs.splice(0)) await p.stop()
})
afterAll(async () => {
  await bench?.close()
})

/** A pty pair, the host end opened in slipmux, and one simulated device on the other end. */
async function line(endpoint: string, target: 'server' | 'bootstrap' = 'server'): Promise<{ pair: PtyPair; fleetId: string }> {
  const pair = await ptyPair()
  pairs.push(pair)
  const opened = await call<OpenSerialPortDto>('serial.open', { path: pair.a, baudRate: 115200, framing: 'slipmux' })
  // The pty's device name is "A": coap+uart://A (draft §5 names the port, not its path).
  expect(opened).toMatchObject({ path: pair.a, uri: 'coap+uart://A', roles: ['server', 'bootstrap'] })
  const { fleetId } = await call<{ fleetId: string }>('simulator.start', { [target]: opened.uri, serial: pair.b, endpoint, lwm2m: '1.1' })
  fleets.push(fleetId)
  return { pair, fleetId }
}

const consoleText = async (path: string): Promise<string> =>
  (await call<SerialConsolePage>('serial.console', { path })).lines.map((l) => l.text).join('\n')

describe('LwM2M over slipmux on a pty pair (issue 17 "Done when")', () => {
  it('registers through serial.open, shows the port as its address, answers a Read; its diagnostic text is in serial.console', async () => {
    const { pair } = await line('ser-reg')
    await allRegistered(bench, ['ser-reg'])
    const dev = await call<DeviceDetail>('devices.get', { endpoint: 'ser-reg' })
    expect(dev.address).toBe(pair.a)
    const read = await call<OperationResultDto>('devices.read', { endpoint: 'ser-reg', path: '/3/0/0' })
    expect(read).toMatchObject({ success: true, code: '2.05' })
    await until('the diagnostic line', async () => ((await consoleText(pair.a)).includes('ser-reg: registered') ? true : undefined))
    const page = await call<SerialConsolePage>('serial.console', { path: pair.a })
    expect(page.frames.some((f) => f.direction === 'in' && f.summary.includes('/rd') && f.endpoint === 'ser-reg')).toBe(true)
    expect(page.frames.some((f) => f.direction === 'out' && f.summary.includes('/3/0/0'))).toBe(true)
  })

  it('a stored bootstrap configuration naming coap+uart:// provisions the device over the line, then it registers there', async () => {
    const pair = await ptyPair()
    pairs.push(pair)
    const uri = 'coap+uart://A'
    const config: BootstrapConfig = {
      endpoint: 'ser-bs',
      discoverFirst: true,
      deletePaths: ['/0', '/1'],
      security: [{ instanceId: 1, uri, bootstrapServer: false, securityMode: 3, shortServerId: 77 }],
      servers: [{ instanceId: 0, shortServerId: 77, lifetime: 600, notificationStoring: false, binding: 'U' }],
      contentFormat: 'auto',
      allowPack: true
    }
    const put = await call<{ warnings: string[] }>('bootstrap.configs.put', { config })
    expect(put.warnings.join(' ')).not.toMatch(/does not serve/)
    await call('serial.open', { path: pair.a, baudRate: 115200, framing: 'slipmux' })
    const { fleetId } = await call<{ fleetId: string }>('simulator.start', { bootstrap: uri, serial: pair.b, endpoint: 'ser-bs', lwm2m: '1.1' })
    fleets.push(fleetId)
    await allRegistered(bench, ['ser-bs'])
    const { runs } = await call<{ runs: BootstrapRunDto[] }>('bootstrap.runs.list', { endpoint: 'ser-bs' })
    expect(runs[0]).toMatchObject({ outcome: 'success', config: { endpoint: 'ser-bs' } })
    const dev = await call<DeviceDetail>('devices.get', { endpoint: 'ser-bs' })
    expect(dev).toMatchObject({ address: pair.a, lifetime: 600 })
  })

  it('observe: a value the device changes arrives as a notification over the line', async () => {
    await line('ser-obs')
    await allRegistered(bench, ['ser-obs'])
    const obs = await call<ObserveResultDto>('devices.observe', { endpoint: 'ser-obs', path: '/3/0/9' })
    expect(obs).toMatchObject({ success: true, observationId: expect.any(String) })
    await call('simulator.set', { endpoint: 'ser-obs', path: '/3/0/9', value: 42 })
    await until('the notification', () =>
      bench.events.find(([n, p]) => n === 'devices.notification' && (p as { endpoint: string }).endpoint === 'ser-obs' && JSON.stringify(p).includes('42'))
    )
  })

  it('RFC 7959: a 3000-byte value comes back over the line in Block2 transfers', async () => {
    await line('ser-blk')
    await allRegistered(bench, ['ser-blk'])
    const big = 'x'.repeat(3000)
    await call('simulator.set', { endpoint: 'ser-blk', path: '/3/0/0', value: big })
    const read = await call<OperationResultDto>('devices.read', { endpoint: 'ser-blk', path: '/3/0/0', format: 'senml-json' })
    expect(read).toMatchObject({ success: true, code: '2.05' })
    expect(JSON.stringify(read)).toContain(big)
    const page = await call<SerialConsolePage>('serial.console', { path: pairs[0]!.a })
    expect(page.frames.filter((f) => f.direction === 'out' && f.summary.includes('Block2')).length).toBeGreaterThanOrEqual(2)
  })
})

describe('several lines at once', () => {
  it('two devices on two lines are each read over their own line', async () => {
    const one = await line('ser-two-a')
    const two = await line('ser-two-b')
    await allRegistered(bench, ['ser-two-a', 'ser-two-b'])
    for (const [endpoint, pair] of [['ser-two-a', one.pair], ['ser-two-b', two.pair]] as const) {
      const read = await call<OperationResultDto>('devices.read', { endpoint, path: '/3/0/2' })
      expect(read).toMatchObject({ success: true, records: [{ path: '/3/0/2', value: `SN-${endpoint}` }] })
      const page = await call<SerialConsolePage>('serial.console', { path: pair.a })
      expect(page.frames.filter((f) => f.summary.includes('/3/0/2')).every((f) => f.endpoint === endpoint)).toBe(true)
      expect(page.frames.some((f) => f.direction === 'out' && f.summary.includes('/3/0/2'))).toBe(true)
    }
  })
})

describe('faults on the line', () => {
  it('closing the line mid-exchange fails the pending request with a plain reason; reopening brings the device back', async () => {
    const { pair, fleetId } = await line('ser-cut')
    await allRegistered(bench, ['ser-cut'])
    await call('simulator.inject', { endpoint: 'ser-cut', fault: { kind: 'silent' } })
    const pending = call<OperationResultDto>('devices.read', { endpoint: 'ser-cut', path: '/3/0/0', timeoutMs: 60_000 }).then(
      (r) => ({ ok: true as const, r }),
      (e: Error) => ({ ok: false as const, message: e.message })
    )
    await new Promise((r) => setTimeout(r, 300))
    await call('serial.close', { path: pair.a })
    const outcome = await pending
    const text = outcome.ok ? JSON.stringify(outcome.r) : outcome.message
    expect(text).toMatch(new RegExp(`serial line ${pair.a.replace(/[/.]/g, '\\$&')} closed: closed by the user`))
    expect(bench.events.some(([n, p]) => n === 'serial.closed' && (p as { path: string }).path === pair.a)).toBe(true)
    // While the line is closed, a request says so instead of waiting.
    const refused = await call<OperationResultDto>('devices.read', { endpoint: 'ser-cut', path: '/3/0/0' }).then(
      (r) => JSON.stringify(r),
      (e: Error) => e.message
    )
    expect(refused).toMatch(/no open link reaches/)
    await call('serial.open', { path: pair.a, baudRate: 115200, framing: 'slipmux' })
    await call('simulator.inject', { endpoint: 'ser-cut', clear: true, fleetId })
    const read = await call<OperationResultDto>('devices.read', { endpoint: 'ser-cut', path: '/3/0/0' })
    expect(read).toMatchObject({ success: true, code: '2.05' })
  })

  it('the other end going away (socat ends) closes the line with serial.closed and a reason', async () => {
    const { pair } = await line('ser-unplug')
    await allRegistered(bench, ['ser-unplug'])
    await pair.stop()
    const ev = await until('serial.closed', () => bench.events.find(([n, p]) => n === 'serial.closed' && (p as { path: string }).path === pair.a))
    expect((ev[1] as { reason: string }).reason).toMatch(/went away/)
  })

  it('garbage bytes and a bad FCS on the line leave it running: the next Read still works', async () => {
    const { pair } = await line('ser-junk')
    await allRegistered(bench, ['ser-junk'])
    await call('serial.write', { path: pair.a, hex: 'c0 a9 40 00 12 34 e6 b4 c0 00 ff db 41 c0 c0 0a 41' })
    await call('serial.write', { path: pair.a, text: 'random text\n' })
    const read = await call<OperationResultDto>('devices.read', { endpoint: 'ser-junk', path: '/3/0/0' })
    expect(read).toMatchObject({ success: true, code: '2.05' })
  })
})
