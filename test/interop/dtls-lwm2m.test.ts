// SPDX-License-Identifier: Apache-2.0
// LwM2M over DTLS 1.2 end to end (issue 15 "Done when"): credentials stored through security.put,
// the workbench's DTLS listeners, simulated devices as DTLS clients, libcoap's coap-client
// (OpenSSL and GnuTLS builds) registering over coaps://, reads through devices.read, a wrong key
// named as such, the endpoint bound to the identity, and a NAT rebinding with a Connection ID:
// a UDP relay between device and server changes its source port mid-session.
import { spawn } from 'node:child_process'
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DeviceDetail, DevicesPage, OperationResultDto } from '../../src-main/contract/devices'
import type { HandshakesPage } from '../../src-main/contract/security'
import type { SimulatedDeviceDto } from '../../src-main/contract/simulator'
import { startBench, until, type SimBench } from '../helpers/simulator'
import { runProcess } from '../helpers/run-process'

const KEY = '000102030405060708090a0b0c0d0e0f'

let bench: SimBench
beforeAll(async () => {
  bench = await startBench({ dtls: true })
})
afterAll(async () => {
  await bench.close()
})

async function registered(endpoint: string): Promise<DeviceDetail> {
  return until(`${endpoint} registered`, async () => {
    try {
      return await bench.call<DeviceDetail>('devices.get', { endpoint })
    } catch {
      return undefined
    }
  })
}

async function handshakes(): Promise<HandshakesPage['handshakes']> {
  return (await bench.call<HandshakesPage>('security.handshakes', {})).handshakes
}

describe('a simulated device registers over coaps:// with a PSK from security.put', () => {
  it('registers, is read over DTLS, and the handshake is on record (LwM2M T §5, CCM_8)', async () => {
    await bench.call('security.put', { endpoint: 'dtls-1', mode: 'psk', identity: 'dtls-1', key: KEY })
    await bench.call('simulator.start', { endpoint: 'dtls-1', server: `coaps://127.0.0.1:${bench.coapsPort}`, pskKey: KEY })
    const d = await registered('dtls-1')
    expect(d.address).toMatch(/^127\.0\.0\.1:\d+$/)
    const read = await bench.call<OperationResultDto>('devices.read', { endpoint: 'dtls-1', path: '/3/0/0' })
    expect(read.code).toBe('2.05')
    expect(JSON.stringify(read)).toContain('LwM2M Workbench')
    const ok = (await handshakes()).find((h) => h.endpoint === 'dtls-1' && h.outcome === 'ok')
    expect(ok?.suite).toBe('TLS_PSK_WITH_AES_128_CCM_8')
    const sim = await bench.call<SimulatedDeviceDto>('simulator.device', { endpoint: 'dtls-1' })
    expect(sim.dtls[0]).toMatchObject({ ok: true })
  })

  it('a wrong key shows up as "wrong key for identity …" and the device does not register', async () => {
    await bench.call('security.put', { endpoint: 'dtls-wrong', mode: 'psk', identity: 'dtls-wrong', key: KEY })
    await bench.call('simulator.start', { endpoint: 'dtls-wrong', server: `coaps://127.0.0.1:${bench.coapsPort}`, pskKey: 'ff'.repeat(16) })
    const rec = await until('the failed handshake', async () => (await handshakes()).find((h) => h.identity === 'dtls-wrong' && h.outcome === 'failed'))
    expect(rec.cause).toBe('wrong_key')
    expect(rec.message).toMatch(/^Wrong key for identity dtls-wrong/)
    await expect(bench.call('devices.get', { endpoint: 'dtls-wrong' })).rejects.toThrow()
  })

  it('Register must use the endpoint bound to the DTLS identity, else 4.00 (issue 15 item 3)', async () => {
    await bench.call('security.put', { endpoint: 'dtls-owner', mode: 'psk', identity: 'shared-id', key: KEY })
    await bench.call('simulator.start', { endpoint: 'dtls-impostor', server: `coaps://127.0.0.1:${bench.coapsPort}`, pskIdentity: 'shared-id', pskKey: KEY })
    const sim = await until('the refused Register', async () => {
      const s = await bench.call<SimulatedDeviceDto>('simulator.device', { endpoint: 'dtls-impostor' })
      return s.servers.some((x) => x.lastError?.includes('4.00')) ? s : undefined
    })
    expect(sim.state).not.toBe('registered')
    await expect(bench.call('devices.get', { endpoint: 'dtls-impostor' })).rejects.toThrow()
  })
})

/** A UDP relay for one client: forwards to `target` from socket A, later from socket B (a NAT's new mapping). */
class Relay {
  readonly front: Socket = createSocket('udp4')
  back: Socket = createSocket('udp4')
  client: RemoteInfo | null = null
  constructor(readonly target: number) {}
  async start(): Promise<number> {
    await new Promise<void>((r) => this.front.bind(0, '127.0.0.1', () => r()))
    this.front.on('message', (m, rinfo) => {
      this.client = rinfo
      this.back.send(m, this.target, '127.0.0.1')
    })
    await this.#listenBack()
    return this.front.address().port
  }
  async #listenBack(): Promise<void> {
    const b = this.back
    await new Promise<void>((r) => b.bind(0, '127.0.0.1', () => r()))
    b.on('message', (m) => {
      if (this.client) this.front.send(m, this.client.port, this.client.address)
    })
  }
  readonly #old: Socket[] = []
  /**
   * The NAT makes a new mapping: traffic from the device now leaves from a new port. The old
   * mapping still lets the server's packets in for a while, as real NATs do until it times out.
   */
  async rebind(): Promise<{ before: number; after: number }> {
    const before = this.back.address().port
    this.#old.push(this.back)
    this.back = createSocket('udp4')
    await this.#listenBack()
    return { before, after: this.back.address().port }
  }
  close(): void {
    this.front.close()
    this.back.close()
    for (const s of this.#old) s.close()
  }
}

describe('Connection ID keeps the session and the registration across a NAT rebinding (RFC 9146 §6)', () => {
  it('the device behind a relay that changes its source port stays registered and readable', async () => {
    await bench.call('security.put', { endpoint: 'dtls-cid', mode: 'psk', identity: 'dtls-cid', key: KEY })
    const relay = new Relay(bench.coapsPort)
    const port = await relay.start()
    try {
      await bench.call('simulator.start', { endpoint: 'dtls-cid', server: `coaps://127.0.0.1:${port}`, pskKey: KEY, cid: true, lifetime: 600 })
      const first = await registered('dtls-cid')
      const sim = await bench.call<SimulatedDeviceDto>('simulator.device', { endpoint: 'dtls-cid' })
      expect(sim.dtls[0]?.detail).toMatch(/Connection ID [0-9a-f]{12}/)
      const { before, after } = await relay.rebind()
      expect(after).not.toBe(before)
      // The device speaks next through the new mapping: an Update, asked for with /1/0/8 (which
      // still reaches it through the old mapping).
      await bench.call('devices.execute', { endpoint: 'dtls-cid', path: '/1/0/8' })
      const moved = await until('the session to follow the new port', async () => {
        const d = await bench.call<DeviceDetail>('devices.get', { endpoint: 'dtls-cid' })
        return d.address.endsWith(`:${after}`) ? d : undefined
      }, 10_000)
      expect(moved.registrationId).toBe(first.registrationId)
      const read = await bench.call<OperationResultDto>('devices.read', { endpoint: 'dtls-cid', path: '/3/0/0', timeoutMs: 5000 })
      expect(read.code).toBe('2.05')
    } finally {
      relay.close()
    }
  })
})


describe("libcoap's coap-client registers over coaps:// with a key stored through security.put", () => {
  for (const bin of ['coap-client-openssl', 'coap-client-gnutls']) {
    it(`${bin}: Register with PSK (TLS_PSK_WITH_AES_128_CCM_8 or what it offers) → 2.01 and a registration`, async () => {
      const ep = `lc-${bin.endsWith('gnutls') ? 'g' : 'o'}`
      const ascii = 'libcoap-secret-1'
      await bench.call('security.put', { endpoint: ep, mode: 'psk', identity: ep, key: Buffer.from(ascii).toString('hex') })
      // Asynchronously: the server runs in this process and must answer while the client waits.
      const r = await runProcess(bin, ['-m', 'post', '-u', ep, '-k', ascii, '-e', '</3/0>', '-t', '40', '-B', '10', `coaps://127.0.0.1:${bench.coapsPort}/rd?ep=${ep}&lt=120&lwm2m=1.1`])
      expect(r.status, r.out).toBe(0)
      const page = await bench.call<DevicesPage>('devices.list', { filter: ep })
      expect(page.devices.map((x) => x.endpoint)).toContain(ep)
    })
  }
})

describe('the DTLS key log decrypts a real capture in tshark (issue 15 item 7, NSS key log format)', () => {
  it('with dtls.keyLog on, tshark reads the CoAP inside a captured DTLS session', async () => {
    const { mkdtempSync, readFileSync, rmSync, statSync } = await import('node:fs')
    const { join } = await import('node:path')
    const { tmpdir } = await import('node:os')
    const dir = mkdtempSync(join(tmpdir(), 'keylog-'))
    const pcap = join(dir, 'dtls.pcapng')
    const dumpcap = spawn('dumpcap', ['-i', 'lo', '-f', `udp port ${bench.coapsPort}`, '-w', pcap, '-q'])
    try {
      let err = ''
      dumpcap.stderr.on('data', (b: Buffer) => (err += b.toString()))
      await until('dumpcap to capture', () => (/Capturing on/.test(err) ? true : undefined), 10_000)
      await bench.call('settings.set', { key: 'dtls.keyLog', value: true })
      await bench.call('security.put', { endpoint: 'dtls-keylog', mode: 'psk', identity: 'dtls-keylog', key: KEY })
      await bench.call('simulator.start', { endpoint: 'dtls-keylog', server: `coaps://127.0.0.1:${bench.coapsPort}`, pskKey: KEY })
      await registered('dtls-keylog')
      await bench.call('devices.read', { endpoint: 'dtls-keylog', path: '/3/0/0' })
      await new Promise((r) => setTimeout(r, 500))
      dumpcap.kill('SIGINT')
      await new Promise((r) => dumpcap.on('exit', r))
      const keylog = join(bench.wb.dataDir, 'dtls-keylog.txt')
      expect(statSync(keylog).mode & 0o777).toBe(0o600)
      expect(readFileSync(keylog, 'utf8')).toMatch(/^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/m)
      const r = await runProcess('tshark', ['-r', pcap, '-o', `tls.keylog_file:${keylog}`, '-d', `udp.port==${bench.coapsPort},dtls`, '-d', `dtls.port==${bench.coapsPort},coap`, '-Y', 'coap', '-T', 'fields', '-e', 'coap.code', '-e', 'coap.opt.uri_path'])
      expect(r.status, r.out).toBe(0)
      // The Register (POST /rd) and the Read (GET /3/0/0) appear decrypted.
      expect(r.out).toMatch(/\b2\b\s+rd/)
      expect(r.out).toMatch(/\b1\b\s+3,0,0/)
    } finally {
      dumpcap.kill('SIGKILL')
      await bench.call('settings.set', { key: 'dtls.keyLog', value: false })
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
