// SPDX-License-Identifier: Apache-2.0
// Capture files in the Electron window (the Packets view's "Open pcap…" and "Save pcapng"): the
// renderer's IPC client, a bridge wired as the preload wires it, the main process's IPC handlers
// and a real workbench with a real UDP listener and real files. Two things stand in for Electron,
// whose binary cannot run on these machines: ipcMain/ipcRenderer (FakeIpcMain) and the two OS
// services the preload and the main process call, webUtils.getPathForFile and the save dialog.
import { createSocket } from 'node:dgram'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { IPC_INVOKE_CHANNEL, IPC_SAVE_DIALOG_CHANNEL, type BridgeApi } from '../../src-main/contract/bridge'
import type { SystemInfo } from '../../src-main/contract/system'
import type { Outcome } from '../../src-main/contract/errors'
import { attachIpc, attachSaveDialog } from '../../src-main/electron/ipc-adapter'
import { createWorkbench, type Workbench } from '../../src-main/services/workbench'
import { createIpcClient } from '../../src-renderer/backend/ipc-client'
import type { BackendClient } from '../../src-renderer/backend/client'
import { FakeIpcMain } from '../helpers/fake-ipc-main'
import { callIn } from '../helpers/in-process'
import { tempDir } from '../helpers/temp-dir'

const TRUSTED = 'app://workbench/index.html'
let dir: ReturnType<typeof tempDir>
let wb: Workbench
let ipc: FakeIpcMain
let client: BackendClient
let serverPort = 0
/** What the save dialog was asked, and what it answers next (null: the user cancelled). */
const dialog = { asked: [] as string[], answer: null as string | null }
/** Electron's webUtils.getPathForFile: a File picked from disk has its path; others have none. */
const paths = new Map<File, string>()

beforeAll(async () => {
  dir = tempDir()
  wb = createWorkbench({ dataDir: dir.path, log: () => {} })
  await wb.startListeners({ coap: { host: '127.0.0.1', port: 0 }, bootstrap: null })
  ipc = new FakeIpcMain()
  const trusted = (url: string) => url.startsWith('app://workbench/')
  attachIpc(ipc, wb.dispatcher, trusted)
  attachSaveDialog(ipc, async (name) => (dialog.asked.push(name), dialog.answer), trusted)
  const bridge: BridgeApi = {
    invoke: async (method, params) => (await ipc.invoke(TRUSTED, IPC_INVOKE_CHANNEL, method, params)) as Outcome<unknown>,
    on: () => () => undefined,
    pathForFile: (file) => paths.get(file as File) ?? '',
    chooseSavePath: async (name) => {
      const p: unknown = await ipc.invoke(TRUSTED, IPC_SAVE_DIALOG_CHANNEL, name)
      return typeof p === 'string' ? p : null
    }
  }
  client = createIpcClient(bridge)
  // One real datagram to the server listener, so the capture has a frame to save.
  serverPort = (await callIn<SystemInfo>(wb, 'system.info', {})).capabilities.listeners.find((l) => l.role === 'LwM2M Server')?.port ?? 0
  const s = createSocket('udp4')
  await new Promise<void>((r) => s.send(Uint8Array.of(0x40, 0x01, 0x12, 0x34), serverPort, '127.0.0.1', () => r()))
  s.close()
  const end = Date.now() + 5000
  while ((await callIn<{ total: number }>(wb, 'capture.list', {})).total === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20))
})
afterAll(async () => {
  await wb?.close()
  dir?.cleanup()
})

describe('capture files in the Electron window (issue 16 item 4)', () => {
  it('"Save pcapng" asks the main process for a path and writes the capture there; a cancelled dialog writes nothing', async () => {
    const target = join(dir.path, 'saved.pcapng')
    dialog.answer = target
    expect(await client.exportCapture('pcapng', '')).toBe(target)
    expect(dialog.asked).toEqual(['capture.pcapng'])
    // pcapng Section Header Block (0x0A0D0D0A), then at least the frame captured above.
    const bytes = readFileSync(target)
    expect(bytes.readUInt32LE(0)).toBe(0x0a0d0d0a)
    expect(bytes.length).toBeGreaterThan(100)

    dialog.answer = null
    const other = join(dir.path, 'never.pcapng')
    expect(await client.exportCapture('pcapng', '')).toBeNull()
    expect(existsSync(other)).toBe(false)
  })

  it('"Open pcap…" imports the picked file by its path, with the PSKs the dialog took', async () => {
    await client.call('capture.clear', {})
    // The listener ran on an ephemeral port: CoAP there is decoded once the setting names it.
    await client.call('capture.settings.set', { coapPorts: [5683, serverPort] })
    const file = new File([readFileSync(join(dir.path, 'saved.pcapng'))], 'saved.pcapng')
    paths.set(file, join(dir.path, 'saved.pcapng'))
    const r = await client.importCapture(file, { psk: ['my:device:0011aabb'] })
    expect(r).toMatchObject({ skipped: 0 })
    expect(r.frames).toBeGreaterThanOrEqual(1)
    expect((await client.call('capture.list', {})).total).toBeGreaterThanOrEqual(1)
  })

  it('a file without a path (dragged from somewhere that is not the disk) is refused in words, not sent', async () => {
    const file = new File([Uint8Array.of(1, 2, 3)], 'from-memory.pcapng')
    await expect(client.importCapture(file, {})).rejects.toThrow(/from-memory\.pcapng is not a file on this machine/)
  })

  it('the save dialog answers only our own pages, and gets a bare file name', async () => {
    dialog.asked = []
    dialog.answer = join(dir.path, 'x.pcapng')
    expect(await ipc.invoke('https://evil.example/', IPC_SAVE_DIALOG_CHANNEL, 'capture.pcapng')).toBeNull()
    expect(dialog.asked).toEqual([])
    await ipc.invoke(TRUSTED, IPC_SAVE_DIALOG_CHANNEL, '../../etc/capture.pcap')
    expect(dialog.asked).toEqual(['capture.pcap'])
  })
})
