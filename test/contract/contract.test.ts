// The contract surface: every method has a handler and every handler a method, and the same call
// fixtures give the same outcomes through both carriers — the Electron IPC adapter and the headless
// JSON-RPC WebSocket adapter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { METHODS, METHOD_PARAMS } from '../../src-main/contract/methods'
import { EVENTS } from '../../src-main/contract/events'
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../../src-main/contract/bridge'
import type { Outcome } from '../../src-main/contract/errors'
import { attachIpc, forwardEvents } from '../../src-main/electron/ipc-adapter'
import { FakeIpcMain } from '../helpers/fake-ipc-main'
import { startHeadless, type HeadlessServer } from '../../src-main/headless/server'
import { createWorkbench, type Workbench } from '../../src-main/services/workbench'
import { tempDir } from '../helpers/temp-dir'
import { connect, type RawClient } from '../helpers/ws-rpc'

interface Fixture {
  name: string
  method: string
  params?: unknown
  expect: { ok: boolean; code?: string; result?: unknown; resultKeys?: string[] }
}
const fixtures = JSON.parse(
  readFileSync(fileURLToPath(new URL('../fixtures/contract/calls.json', import.meta.url)), 'utf8')
) as Fixture[]

const TRUSTED = 'app://workbench/index.html'

describe('contract surface (DESIGN.md: adding a method = contract + service + dispatcher entry)', () => {
  const dir = tempDir()
  const wb = createWorkbench({ dataDir: dir.path, log: () => {} })
  afterAll(async () => {
    await wb.close()
    dir.cleanup()
  })

  it('every contract method has a dispatcher handler, and no handler lacks a method', () => {
    expect([...wb.dispatcher.methods()].sort()).toEqual([...METHODS].sort())
  })
  it('method names are domain.verb and events domain.event', () => {
    for (const m of METHODS) expect(m).toMatch(/^[a-z]+(\.[a-z][A-Za-z]*)+$/)
    for (const e of EVENTS) expect(e).toMatch(/^[a-z]+(\.[a-z][A-Za-z]*)+$/)
  })
  it('every method has a param schema that refuses a non-object', () => {
    for (const m of METHODS) {
      const issues: unknown[] = []
      METHOD_PARAMS[m].check('not an object', '', issues as never)
      expect(issues.length, m).toBeGreaterThan(0)
    }
  })
})

describe('the same fixtures through both carriers', () => {
  let ipcDir: ReturnType<typeof tempDir>
  let wsDir: ReturnType<typeof tempDir>
  let ipcWb: Workbench
  let wsWb: Workbench
  let ipc: FakeIpcMain
  let server: HeadlessServer
  let client: RawClient

  beforeAll(async () => {
    ipcDir = tempDir()
    wsDir = tempDir()
    ipcWb = createWorkbench({ dataDir: ipcDir.path, log: () => {} })
    wsWb = createWorkbench({ dataDir: wsDir.path, log: () => {} })
    ipc = new FakeIpcMain()
    attachIpc(ipc, ipcWb.dispatcher, (url) => url.startsWith('app://workbench/'))
    server = await startHeadless({ workbench: wsWb, rendererDir: wsDir.path, port: 0 })
    client = await connect(server.baseUrl, server.token)
  })
  afterAll(async () => {
    client.close()
    await server.close()
    await ipcWb.close()
    await wsWb.close()
    ipcDir.cleanup()
    wsDir.cleanup()
  })

  const viaIpc = async (f: Fixture) => (await ipc.invoke(TRUSTED, IPC_INVOKE_CHANNEL, f.method, f.params)) as Outcome<unknown>
  const viaWs = async (f: Fixture): Promise<Outcome<unknown>> => {
    const reply = await client.call(f.method, f.params)
    if ('result' in reply) return { ok: true, result: reply.result }
    const err = reply.error as { message: string; data: { code: never; details?: unknown } }
    return { ok: false, error: { code: err.data.code, message: err.message, details: err.data.details } }
  }

  for (const f of fixtures) {
    it(f.name, async () => {
      const a = await viaIpc(f)
      const b = await viaWs(f)
      for (const [carrier, o] of [['ipc', a], ['websocket', b]] as const) {
        expect(o.ok, `${carrier}: ${JSON.stringify(o)}`).toBe(f.expect.ok)
        if (o.ok) {
          if (f.expect.result !== undefined) expect(o.result).toEqual(f.expect.result)
          for (const k of f.expect.resultKeys ?? []) expect(o.result as object).toHaveProperty(k)
        } else {
          expect(o.error.code).toBe(f.expect.code)
          expect(o.error.message.length).toBeGreaterThan(5)
        }
      }
      // Identical apart from what legitimately differs per instance (carrier, data dir, pid, time, key file).
      const scrub = (o: Outcome<unknown>) =>
        JSON.parse(JSON.stringify(o), (k, v) => (['carrier', 'dataDir', 'pid', 'startedAt', 'secrets', 'updatedAt'].includes(k) ? '*' : v))
      expect(scrub(a)).toEqual(scrub(b))
    })
  }

  it('system.info names the carrier that brought the call', async () => {
    const a = (await viaIpc({ name: '', method: 'system.info', expect: { ok: true } })) as { ok: true; result: { carrier: string } }
    const b = (await viaWs({ name: '', method: 'system.info', expect: { ok: true } })) as { ok: true; result: { carrier: string } }
    expect(a.result.carrier).toBe('ipc')
    expect(b.result.carrier).toBe('websocket')
  })

  it('IPC refuses calls from frames that are not ours (Electron security checklist: validate senderFrame)', async () => {
    const o = (await ipc.invoke('https://evil.example/', IPC_INVOKE_CHANNEL, 'system.info', {})) as Outcome<unknown>
    expect(o.ok).toBe(false)
    expect(!o.ok && o.error.code).toBe('rpc.invalid_request')
  })

  it('events reach both carriers: IPC as webContents.send, WebSocket as a JSON-RPC notification', async () => {
    const sent: unknown[][] = []
    const stop = forwardEvents(ipcWb.events, () => [{ send: (...args: unknown[]) => sent.push(args), isDestroyed: () => false }])
    await ipc.invoke(TRUSTED, IPC_INVOKE_CHANNEL, 'settings.set', { key: 'ui.density', value: 'comfortable' })
    stop()
    expect(sent).toEqual([[IPC_EVENT_CHANNEL, 'settings.changed', { key: 'ui.density', value: 'comfortable' }]])

    const note = client.next((m) => m.method === 'settings.changed' && (m.params as { key: string }).key === 'ui.density')
    await client.call('settings.set', { key: 'ui.density', value: 'comfortable' })
    expect(await note).toEqual({ jsonrpc: '2.0', method: 'settings.changed', params: { key: 'ui.density', value: 'comfortable' } })
  })
})
