// SPDX-License-Identifier: Apache-2.0
// Issue 16 item 8: on headless mode a browser uploads and downloads capture files over HTTP with
// the instance token (JSON-RPC requests are capped at 1 MiB); the contract methods work on paths.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHeadless, type HeadlessServer } from '../../../src-main/headless/server'
import { createWorkbench, type Workbench } from '../../../src-main/services/workbench'
import { CaptureFileReader } from '../../../src-main/core/inspect/capture-file-reader'
import { pcapngHeader, pcapngPacket } from '../../../src-main/core/inspect/capture-file-writer'
import type { CaptureFrameDetail, CapturePage } from '../../../src-main/contract/capture'
import { callIn } from '../../helpers/in-process'
import { tempDir } from '../../helpers/temp-dir'
import { coap, c, GET, POST } from '../../core/inspect/inspect-fixtures'

const dir = tempDir()
let wb: Workbench
let server: HeadlessServer
const frames = Array.from({ length: 40 }, (_, k) => k % 2 === 0
  ? pcapngPacket({ at: 1000 + k, srcAddress: '10.0.0.1', srcPort: 5683, dstAddress: `10.0.0.${2 + (k % 5)}`, dstPort: 40000, payload: coap(GET, { path: '/3/0/9', token: [k], mid: k }) })
  : pcapngPacket({ at: 1000 + k, srcAddress: `10.0.0.${2 + ((k - 1) % 5)}`, srcPort: 40000, dstAddress: '10.0.0.1', dstPort: 5683, payload: coap(c(2, 5), { token: [k - 1], mid: k - 1, cf: 0, payload: String(k) }) }))
const register = pcapngPacket({ at: 999, srcAddress: '10.0.0.2', srcPort: 40000, dstAddress: '10.0.0.1', dstPort: 5683, payload: coap(POST, { path: '/rd', query: ['ep=up-1', 'lwm2m=1.2'], token: [99], mid: 99 }) })
const file = Buffer.concat([...pcapngHeader(), register, ...frames])

beforeAll(async () => {
  wb = createWorkbench({ dataDir: dir.path, log: () => {} })
  server = await startHeadless({ workbench: wb, rendererDir: join(dir.path, 'ui'), port: 0 })
})
afterAll(async () => {
  await server.close()
  await wb.close()
  dir.cleanup()
})

describe('capture files over HTTP and the capture.* methods', () => {
  it('refuses an upload without the token', async () => {
    const r = await fetch(`${server.baseUrl}capture/import`, { method: 'POST', body: file })
    expect(r.status).toBe(401)
  })

  it('imports an uploaded pcapng, lists it in windows, opens a frame, filters it', async () => {
    const r = await fetch(`${server.baseUrl}capture/import`, { method: 'POST', body: file, headers: { Authorization: `Bearer ${server.token}` } })
    expect(r.status).toBe(200)
    const result = (await r.json()) as { frames: number; stop: unknown }
    expect(result).toMatchObject({ frames: 41, stop: null })
    const page = await callIn<CapturePage>(wb, 'capture.list', { cursor: 10, limit: 5 })
    expect(page.frames).toHaveLength(5)
    expect(page.matched).toBe(41)
    expect(page.next).toBe(15)
    const reads = await callIn<CapturePage>(wb, 'capture.list', { filter: 'ep=up-1 && code=2.05', limit: 100 })
    expect(reads.matched).toBe(4)
    const detail = await callIn<CaptureFrameDetail>(wb, 'capture.get', { id: reads.frames[0]?.id })
    expect(detail.frame.summary).toBe('Read /3/0/9 Device › Battery Level 2.05 Content')
    expect(JSON.stringify(detail.fields)).toContain('"label":"/3/0/9 Device › Battery Level"')
    await expect(callIn(wb, 'capture.list', { filter: 'ep=up-1 &&' })).rejects.toThrow(/capture.invalid_filter: column 11: the filter ends/)
  })

  it('downloads the capture, filtered, as pcapng with the token', async () => {
    const r = await fetch(`${server.baseUrl}capture/export?format=pcapng&filter=${encodeURIComponent('code=2.05')}`, { headers: { Authorization: `Bearer ${server.token}` } })
    expect(r.status).toBe(200)
    expect(r.headers.get('content-disposition')).toContain('capture.pcapng')
    const bytes = new Uint8Array(await r.arrayBuffer())
    let n = 0
    const reader = new CaptureFileReader(() => n++)
    reader.push(bytes)
    expect(reader.finish()).toBeNull()
    expect(n).toBe(20)
  })

  it('capture.export and capture.import take paths; settings and clear', async () => {
    const out = join(dir.path, 'x.pcap')
    expect(await callIn(wb, 'capture.export', { path: out, format: 'pcap' })).toMatchObject({ frames: 41 })
    expect(await callIn(wb, 'capture.clear', {})).toMatchObject({ total: 0 })
    expect(await callIn(wb, 'capture.import', { path: out })).toMatchObject({ frames: 41, stop: null })
    const bad = join(dir.path, 'bad.pcap')
    writeFileSync(bad, 'nonsense!')
    expect(await callIn(wb, 'capture.import', { path: bad })).toMatchObject({ frames: 0, stop: { offset: 0 } })
    const s = await callIn<{ coapPorts: number[]; maxMegabytes: number }>(wb, 'capture.settings.set', { coapPorts: [5683, 6000], maxMegabytes: 64 })
    expect(s).toMatchObject({ coapPorts: [5683, 6000], maxMegabytes: 64, total: 41 })
  })

  it('takes the file as the "file" part of a form with "keylog" and "psk" parts, and answers as capture.import does', async () => {
    await callIn(wb, 'capture.clear', {})
    const form = new FormData()
    form.append('keylog', new Blob(['CLIENT_RANDOM 00 11\n']), 'keys.log')
    form.append('psk', 'up-1:000102030405060708090a0b0c0d0e0f')
    form.append('file', new Blob([file]), 'up.pcapng')
    const r = await fetch(`${server.baseUrl}capture/import`, { method: 'POST', body: form, headers: { Authorization: `Bearer ${server.token}` } })
    expect(r.status).toBe(200)
    expect(await r.json()).toEqual({ frames: 41, packets: 41, skipped: 0, firstId: expect.any(Number), lastId: expect.any(Number), stop: null, dtls: { sessions: 0, decrypted: 0, list: [] } })
    // The raw-body upload answers the same shape.
    const raw = await fetch(`${server.baseUrl}capture/import`, { method: 'POST', body: file, headers: { Authorization: `Bearer ${server.token}` } })
    expect(await raw.json()).toMatchObject({ frames: 41, dtls: { sessions: 0, decrypted: 0, list: [] } })
  })

  it('refuses a form whose PSK is not IDENTITY:HEXKEY without echoing it, and a form without the file', async () => {
    const form = new FormData()
    form.append('psk', 'up-1:secret-not-hex')
    form.append('file', new Blob([file]), 'up.pcapng')
    const r = await fetch(`${server.baseUrl}capture/import`, { method: 'POST', body: form, headers: { Authorization: `Bearer ${server.token}` } })
    expect(r.status).toBe(400)
    const text = await r.text()
    expect(text).toContain('psk field 1 is not IDENTITY:HEXKEY')
    expect(text).not.toContain('secret-not-hex')
    const none = new FormData()
    none.append('psk', 'up-1:00')
    const n = await fetch(`${server.baseUrl}capture/import`, { method: 'POST', body: none, headers: { Authorization: `Bearer ${server.token}` } })
    expect(n.status).toBe(400)
    expect(((await n.json()) as { error: { message: string } }).error.message).toContain('no "file" part')
  })
})
