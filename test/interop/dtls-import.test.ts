// SPDX-License-Identifier: Apache-2.0
// Decrypting imported DTLS (issue 16 items 4 and 8): Debian's dumpcap records, on loopback, our
// server talking coaps:// with a simulated device over PSK, a simulated device with a Connection ID
// (RFC 9146), openssl s_client over ECDHE-PSK (RFC 5489) sending a Register, and libcoap's
// coap-client (OpenSSL) registering with an X.509 certificate over ECDHE-ECDSA. The pcapng is
// imported (a) with the app's own key log, (b) with the PSKs only, (c) with nothing: every LwM2M
// operation of the sessions that can be opened is named, filters work, the reasons for the others
// are given, and a filtered export of decrypted frames carries secrets tshark decrypts with.
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src-main/cli/main'
import { startHeadless } from '../../src-main/headless/server'
import type { CaptureFrameDetail, CaptureImportResult, CapturePage } from '../../src-main/contract/capture'
import { encodeMessage } from '../../src-main/core/coap/codec'
import { Option } from '../../src-main/core/coap/message'
import { startBench, allRegistered, type SimBench } from '../helpers/simulator'
import { runProcess } from '../helpers/run-process'
import { tempDir } from '../helpers/temp-dir'
import { dumpcap } from '../helpers/dumpcap'

const KEY = '000102030405060708090a0b0c0d0e0f'
const ECDHE_KEY = '0f0e0d0c0b0a09080706050403020100'

/** A CoAP Register (POST /rd?ep=…) as openssl s_client sends it from stdin. */
function register(ep: string): Uint8Array {
  const t = new TextEncoder()
  return encodeMessage({
    type: 'CON', code: 2, messageId: 0x4242, token: Uint8Array.of(7, 7),
    options: [
      { number: Option.URI_PATH, value: t.encode('rd') },
      { number: Option.CONTENT_FORMAT, value: Uint8Array.of(40) },
      { number: Option.URI_QUERY, value: t.encode(`ep=${ep}`) },
      { number: Option.URI_QUERY, value: t.encode('lt=60') },
      { number: Option.URI_QUERY, value: t.encode('lwm2m=1.1') }
    ],
    payload: t.encode('</3/0>')
  })
}

let bench: SimBench
const dir = tempDir()
const file = join(dir.path, 'coaps.pcapng')
const f = (name: string): string => join(dir.path, name)
let keyLog = ''

function openssl(...args: string[]): void {
  const r = spawnSync('openssl', args, { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`)
}

beforeAll(async () => {
  // A CA, our server's certificate and a device's, for the ECDHE-ECDSA session.
  openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f('ca.key'))
  openssl('req', '-x509', '-new', '-key', f('ca.key'), '-subj', '/CN=Import CA', '-days', '2', '-out', f('ca.pem'))
  for (const [name, cn] of [['server', 'localhost'], ['device', 'imp-x509']]) {
    openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f(`${name}.ec`))
    openssl('pkcs8', '-topk8', '-nocrypt', '-in', f(`${name}.ec`), '-out', f(`${name}.key`))
    openssl('req', '-new', '-key', f(`${name}.key`), '-subj', `/CN=${cn}`, '-out', f(`${name}.csr`))
    openssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-out', f(`${name}.pem`))
  }
  bench = await startBench({ dtls: true, cidLength: 4, certFile: f('server.pem'), keyFile: f('server.key') })
  await bench.call('settings.set', { key: 'dtls.keyLog', value: true })
  const cap = await dumpcap(file, ['-i', 'lo', '-f', `udp port ${bench.coapsPort}`, '-q'])
  try {
    const server = `coaps://127.0.0.1:${bench.coapsPort}`
    await bench.call('security.put', { endpoint: 'imp-psk', mode: 'psk', identity: 'imp-psk', key: KEY })
    await bench.call('security.put', { endpoint: 'imp-cid', mode: 'psk', identity: 'imp-cid', key: KEY })
    await bench.call('security.put', { endpoint: 'imp-ecdhe', mode: 'psk', identity: 'imp-ecdhe', key: ECDHE_KEY })
    await bench.call('simulator.start', { endpoint: 'imp-psk', server, pskKey: KEY })
    await bench.call('simulator.start', { endpoint: 'imp-cid', server, pskKey: KEY, cid: true })
    await allRegistered(bench, ['imp-psk', 'imp-cid'])
    await bench.call('devices.read', { endpoint: 'imp-psk', path: '/3/0/0' })
    await bench.call('devices.read', { endpoint: 'imp-cid', path: '/3/0/0' })
    await bench.call('devices.discover', { endpoint: 'imp-cid', path: '/3/0' })
    // An independent client over ECDHE-PSK: its Register goes in through stdin.
    const s = spawn('openssl', ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${bench.coapsPort}`, '-psk_identity', 'imp-ecdhe', '-psk', ECDHE_KEY, '-cipher', 'ECDHE-PSK-AES128-CBC-SHA256', '-quiet'], { stdio: ['pipe', 'ignore', 'ignore'] })
    try {
      s.stdin?.write(register('imp-ecdhe'))
      await allRegistered(bench, ['imp-ecdhe'])
    } finally {
      s.kill('SIGTERM')
    }
    await bench.call('security.put', { endpoint: 'imp-x509', mode: 'x509', trust: readFileSync(f('ca.pem'), 'utf8') })
    const x = await runProcess('coap-client-openssl', ['-m', 'post', '-c', f('device.pem'), '-j', f('device.key'), '-C', f('ca.pem'), '-e', '</3/0>', '-t', '40', '-B', '10', `coaps://127.0.0.1:${bench.coapsPort}/rd?ep=imp-x509&lt=120&lwm2m=1.1`])
    if (x.status !== 0) throw new Error(`coap-client-openssl: ${x.out}`)
    await new Promise((r) => setTimeout(r, 700))
  } finally {
    await cap.stop()
  }
  keyLog = bench.wb.capture.keyLog.join('\n')
  await bench.call('capture.settings.set', { paused: true, coapPorts: [bench.coapsPort] })
}, 60_000)

afterAll(async () => {
  await bench?.close()
  dir.cleanup()
})

async function importWith(params: Record<string, unknown>): Promise<{ result: CaptureImportResult; page: CapturePage }> {
  await bench.call('capture.clear', {})
  const result = await bench.call<CaptureImportResult>('capture.import', { path: file, ...params })
  const page = await bench.call<CapturePage>('capture.list', { limit: 1000 })
  return { result, page }
}

const session = (r: CaptureImportResult, identity: string): CaptureImportResult['dtls']['list'][number] | undefined => r.dtls.list.find((s) => s.identity === identity)

describe('importing DTLS captured by dumpcap (issue 16 items 4, 8)', () => {
  it('(a) with the app\'s key log every session decrypts: operations named, ep= and op= filter, CID records framed', async () => {
    expect(keyLog).toMatch(/^CLIENT_RANDOM /)
    const { result, page } = await importWith({ keylog: keyLog })
    expect(result.stop).toBeNull()
    expect(result.dtls.sessions).toBe(4)
    expect(result.dtls.decrypted).toBe(4)
    for (const s of result.dtls.list) expect(s).toMatchObject({ keySource: 'key-log', undecrypted: 0, cause: null })
    expect(session(result, 'imp-ecdhe')?.suite).toMatch(/ECDHE_PSK/)
    expect(result.dtls.list.some((s) => /ECDHE_ECDSA/.test(s.suite ?? ''))).toBe(true)
    const regs = page.frames.filter((f) => f.op === 'register' && f.code === 'POST')
    expect(new Set(regs.map((f) => f.endpoint))).toEqual(new Set(['imp-psk', 'imp-cid', 'imp-ecdhe', 'imp-x509']))
    const reads = await bench.call<CapturePage>('capture.list', { filter: 'ep=imp-cid && op=read', limit: 10 })
    expect(reads.frames.map((f) => f.code)).toEqual(['GET', '2.05'])
    expect((await bench.call<CapturePage>('capture.list', { filter: 'ep=imp-cid && op=discover', limit: 10 })).frames.length).toBe(2)
    // The device's answer is a CID record (the simulator asks for none back, our server for 4
    // bytes): its Connection ID length comes from the handshake, the LwM2M meaning is on top.
    const detail = await bench.call<CaptureFrameDetail>('capture.get', { id: reads.frames[1]?.id })
    expect(detail.dtls?.cid).toMatch(/^[0-9a-f]{8}$/)
    expect(JSON.stringify(detail.fields)).toContain('Connection ID')
    expect(detail.frame.summary).toMatch(/^Read \/3\/0\/0 .*2\.05/)
  })

  it('(b) with PSKs only: plain PSK sessions decrypt, the ECDHE-PSK one is explained; the export decrypts in tshark', async () => {
    const psk = [{ identity: 'imp-psk', key: KEY }, { identity: 'imp-cid', key: KEY }, { identity: 'imp-ecdhe', key: ECDHE_KEY }]
    const { result, page } = await importWith({ psk })
    expect(result.dtls.decrypted).toBe(2)
    expect(session(result, 'imp-psk')).toMatchObject({ keySource: 'psk', cause: null })
    expect(session(result, 'imp-cid')).toMatchObject({ keySource: 'psk', cause: null })
    const ecdhe = session(result, 'imp-ecdhe')
    expect(ecdhe).toMatchObject({ keySource: null, cause: 'ecdhe' })
    expect(ecdhe?.reason).toMatch(/PSK alone cannot decrypt/)
    const x509 = result.dtls.list.find((s) => /ECDHE_ECDSA/.test(s.suite ?? ''))
    expect(x509).toMatchObject({ keySource: null, cause: 'no-key' })
    expect(x509?.reason).toMatch(/only the session's key log line/)
    expect(page.frames.some((f) => f.op === 'register' && f.endpoint === 'imp-psk')).toBe(true)
    expect(page.frames.some((f) => /^DTLS \(encrypted: .*PSK alone cannot decrypt/.test(f.summary))).toBe(true)
    // Re-exported with a filter: the derived secrets go into the Decryption Secrets Block and the
    // session's handshake comes along, so tshark decrypts the chosen frames by itself.
    const out = join(dir.path, 'psk-read.pcapng')
    await bench.call('capture.export', { path: out, format: 'pcapng', filter: 'ep=imp-psk && op=read' })
    const port = String(bench.coapsPort)
    const r = await runProcess('tshark', ['-r', out, '-d', `udp.port==${port},dtls`, '-d', `dtls.port==${port},coap`, '-Y', 'coap', '-T', 'fields', '-e', 'coap.code', '-e', 'coap.opt.uri_path'])
    expect(r.status, r.out).toBe(0)
    expect(r.out).toMatch(/^1\s+3,0,0$/m)
    expect(r.out).toMatch(/^69\b/m)
  })

  it('(c) with nothing: records stay encrypted and each session says why', async () => {
    const { result, page } = await importWith({})
    expect(result.dtls.sessions).toBe(4)
    expect(result.dtls.decrypted).toBe(0)
    for (const s of result.dtls.list) expect(s.cause).toBe('no-key')
    expect(page.frames.some((f) => f.op !== null)).toBe(false)
    const app = page.frames.find((f) => /^DTLS \(encrypted: /.test(f.summary))
    const detail = await bench.call<CaptureFrameDetail>('capture.get', { id: app?.id })
    expect(detail.fields[0]).toMatchObject({ label: 'Decryption' })
    expect(detail.fields[0]?.value).toMatch(/^not decrypted: no key/)
  })

  it('a capture that starts after the handshake: capture.cidLength frames the CID records, the reason is the missing handshake', async () => {
    const cut = join(dir.path, 'late.pcapng')
    // From the first tls12_cid record on (tshark finds it by its first byte, 0x19).
    const first = await runProcess('tshark', ['-r', file, '-Y', 'udp.payload[0] == 0x19', '-T', 'fields', '-e', 'frame.number'])
    const n = Number(first.out.split('\n').find((l) => /^\d+$/.test(l.trim())))
    expect(n).toBeGreaterThan(0)
    const e = await runProcess('editcap', ['-r', file, cut, `${n}-1000000`])
    expect(e.status, e.out).toBe(0)
    await bench.call('capture.settings.set', { cidLength: 4 })
    try {
      await bench.call('capture.clear', {})
      const result = await bench.call<CaptureImportResult>('capture.import', { path: cut, keylog: keyLog })
      expect(result.dtls.list.some((s) => s.cause === 'handshake-missing')).toBe(true)
      const page = await bench.call<CapturePage>('capture.list', { limit: 1000 })
      const cidFrame = page.frames.find((f) => f.transport === 'dtls' && /handshake .*not in the capture/.test(f.summary))
      const detail = await bench.call<CaptureFrameDetail>('capture.get', { id: cidFrame?.id })
      const text = JSON.stringify(detail.fields)
      expect(text).toContain('Connection ID')
      expect(text).not.toContain('cid-not-negotiated')
    } finally {
      await bench.call('capture.settings.set', { cidLength: 0 })
    }
  })
})

describe('the headless upload on the same capture (issue 16 item 8)', () => {
  it('POST /capture/import as a form with the key log and PSKs decrypts as capture.import does', async () => {
    const server = await startHeadless({ workbench: bench.wb, rendererDir: join(dir.path, 'ui'), port: 0 })
    try {
      await bench.call('capture.clear', {})
      const form = new FormData()
      form.append('psk', `imp-psk:${KEY}`)
      form.append('psk', `imp-cid:${KEY}`)
      form.append('psk', `imp-ecdhe:${ECDHE_KEY}`)
      form.append('file', new Blob([readFileSync(file)]), 'coaps.pcapng')
      const r = await fetch(`${server.baseUrl}capture/import`, { method: 'POST', body: form, headers: { Authorization: `Bearer ${server.token}` } })
      expect(r.status).toBe(200)
      const result = (await r.json()) as CaptureImportResult
      expect(result.dtls).toMatchObject({ sessions: 4, decrypted: 2 })
      expect(session(result, 'imp-psk')).toMatchObject({ keySource: 'psk', cause: null })
      expect(session(result, 'imp-ecdhe')).toMatchObject({ cause: 'ecdhe' })
      const withLog = new FormData()
      withLog.append('keylog', new Blob([keyLog]), 'keys.log')
      withLog.append('file', new Blob([readFileSync(file)]), 'coaps.pcapng')
      await bench.call('capture.clear', {})
      const all = (await (await fetch(`${server.baseUrl}capture/import`, { method: 'POST', body: withLog, headers: { Authorization: `Bearer ${server.token}` } })).json()) as CaptureImportResult
      expect(all.dtls).toMatchObject({ sessions: 4, decrypted: 4 })
      const regs = await bench.call<CapturePage>('capture.list', { filter: 'op=register && code=POST', limit: 10 })
      expect(regs.frames.map((f) => f.endpoint).sort()).toEqual(['imp-cid', 'imp-ecdhe', 'imp-psk', 'imp-x509'])
    } finally {
      await server.close()
    }
  })
})

describe('lwm2m-wb pcap on the same capture (issue 16 item 7)', () => {
  async function pcap(...args: string[]): Promise<{ status: number; out: string[]; err: string[] }> {
    const out: string[] = []
    const err: string[] = []
    const status = await runCli(['pcap', file, '--port', String(bench.coapsPort), ...args], { out: (t) => out.push(t), err: (t) => err.push(t) })
    return { status, out, err }
  }

  it('--psk IDENTITY:HEXKEY (repeatable) decrypts the plain PSK sessions; the others are named on stderr with the reason', async () => {
    const r = await pcap('--psk', `imp-psk:${KEY}`, '--psk', `imp-cid:${KEY}`, '--filter', 'op=read')
    expect(r.status).toBe(0)
    expect(r.out.some((l) => / imp-psk: Read \/3\/0\/0/.test(l))).toBe(true)
    expect(r.out.some((l) => / imp-cid: Read \/3\/0\/0 .*2\.05/.test(l))).toBe(true)
    const err = r.err.join('\n')
    expect(err).toMatch(/identity imp-ecdhe\): not decrypted: .*PSK alone cannot decrypt/)
    expect(err).not.toContain(KEY)
    const plain = await pcap('--filter', 'op=read')
    expect(plain.out).toEqual([])
    expect(plain.err.join('\n')).toMatch(/not decrypted: no key/)
  })

  it('--keylog decrypts every session; a malformed --psk exits 2 without echoing the key', async () => {
    const log = join(dir.path, 'keys.log')
    writeFileSync(log, keyLog + '\n')
    const r = await pcap('--keylog', log, '--filter', 'op=register && code=POST')
    expect(r.status).toBe(0)
    expect(r.out.map((l) => / (imp-[a-z0-9]+): Register/.exec(l)?.[1]).sort()).toEqual(['imp-cid', 'imp-ecdhe', 'imp-psk', 'imp-x509'])
    expect(r.err).toEqual([])
    const bad = await pcap('--psk', 'imp-psk:not-hex-secret')
    expect(bad.status).toBe(2)
    expect(bad.err.join('')).toMatch(/--psk wants IDENTITY:HEXKEY/)
    expect(bad.err.join('')).not.toContain('not-hex-secret')
  })
})
