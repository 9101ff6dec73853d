// SPDX-License-Identifier: Apache-2.0
// Our DTLS 1.2 client (transports/dtls/dtls-client-link.ts over core/dtls) against servers nobody
// here wrote: OpenSSL `s_server -dtls1_2 -nocert -psk` and GnuTLS `gnutls-serv --udp --echo`
// with a PSK password file (issue 15: "our client against openssl s_server and gnutls-serv").
// We send a line; the server prints it (OpenSSL) or echoes it (GnuTLS).
import { spawn, type ChildProcess } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { HandshakeFailure, SessionInfo } from '../../src-main/core/dtls/connection'
import { DtlsClientLink } from '../../src-main/transports/dtls/dtls-client-link'
import { tempDir } from '../helpers/temp-dir'

const KEY_HEX = '0123456789abcdef0123456789abcdef'
const KEY = Buffer.from(KEY_HEX, 'hex')

let server: ChildProcess | undefined
let link: DtlsClientLink | undefined
const cleanups: (() => void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) c()
  server?.kill('SIGKILL')
  server = undefined
  await link?.close()
  link = undefined
})

async function freePort(): Promise<number> {
  const s = createSocket('udp4')
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))
  const port = s.address().port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

/** Starts a server and resolves once it prints `ready`; `out()` is everything it printed. */
function start(cmd: string, args: string[], ready: RegExp): Promise<{ out: () => string; write: (s: string) => void }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] })
    server = p
    let out = ''
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start: ${out}`)), 5000)
    const on = (b: Buffer): void => {
      out += b.toString()
      if (ready.test(out)) {
        clearTimeout(timer)
        resolve({ out: () => out, write: (s) => p.stdin?.write(s) })
      }
    }
    p.stdout?.on('data', on)
    p.stderr?.on('data', on)
  })
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20))
}

async function client(port: number, suites: number[], key = KEY): Promise<{ info: Promise<SessionInfo>; got: string[]; failures: HandshakeFailure[] }> {
  const got: string[] = []
  const failures: HandshakeFailure[] = []
  link = await DtlsClientLink.open({ server: { address: '127.0.0.1', port }, psk: { identity: Buffer.from('dev-1'), key }, suites, onFailed: (f) => failures.push(f), timing: { initialMs: 500, maxMs: 2000, maxTransmissions: 4 } })
  link.onReceive((_p, d) => got.push(Buffer.from(d).toString()))
  return { info: link.connect(), got, failures }
}

describe('our DTLS client against openssl s_server -dtls1_2 -psk', () => {
  for (const [name, code, cipher] of [
    ['TLS_PSK_WITH_AES_128_CCM_8', 0xc0a8, 'PSK-AES128-CCM8'],
    ['TLS_PSK_WITH_AES_128_CBC_SHA256', 0x00ae, 'PSK-AES128-CBC-SHA256'],
    ['TLS_PSK_WITH_AES_128_GCM_SHA256', 0x00a8, 'PSK-AES128-GCM-SHA256'],
    ['TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256', 0xc037, 'ECDHE-PSK-AES128-CBC-SHA256']
  ] as const) {
    it(`completes ${name}; data flows both ways`, async () => {
      const port = await freePort()
      const s = await start('openssl', ['s_server', '-4', '-dtls1_2', '-port', String(port), '-nocert', '-psk', KEY_HEX, '-psk_identity', 'hint', '-cipher', cipher], /ACCEPT/)
      const c = await client(port, [code])
      const info = await c.info
      expect(info.suite.name).toBe(name)
      expect(info.extendedMasterSecret).toBe(true)
      link?.send(link.peer, Buffer.from('hello-from-our-client\n'))
      await until(() => s.out().includes('hello-from-our-client'))
      expect(s.out()).toContain('hello-from-our-client')
      s.write('pong-from-openssl\n')
      await until(() => c.got.join('').includes('pong-from-openssl'))
      expect(c.got.join('')).toContain('pong-from-openssl')
    })
  }

  it('a wrong key ends in a failure that names the identity and the likely cause', async () => {
    const port = await freePort()
    await start('openssl', ['s_server', '-4', '-dtls1_2', '-port', String(port), '-nocert', '-psk', KEY_HEX, '-cipher', 'PSK-AES128-CCM8'], /ACCEPT/)
    const c = await client(port, [0xc0a8], Buffer.from('ff'.repeat(16), 'hex'))
    await expect(c.info).rejects.toThrow(/dev-1/)
    expect(['wrong_key', 'timeout']).toContain(c.failures[0]?.cause)
    expect(c.failures[0]?.message).toMatch(/wrong key for identity dev-1/i)
  })
})

describe('our DTLS client against gnutls-serv --udp (PSK)', () => {
  it('completes TLS_PSK_WITH_AES_128_CCM_8 and gets its data echoed', async () => {
    const port = await freePort()
    const dir = tempDir()
    cleanups.push(dir.cleanup)
    const passwd = join(dir.path, 'psk.txt')
    writeFileSync(passwd, `dev-1:${KEY_HEX}\n`)
    await start('gnutls-serv', ['--udp', '--echo', '--port', String(port), '--pskpasswd', passwd, '--priority', 'NORMAL:-VERS-ALL:+VERS-DTLS1.2:-KX-ALL:+PSK:-CIPHER-ALL:+AES-128-CCM-8'], /UDP server ready|Echo Server listening|listening/i)
    const c = await client(port, [0xc0a8])
    const info = await c.info
    expect(info.suite.name).toBe('TLS_PSK_WITH_AES_128_CCM_8')
    link?.send(link.peer, Buffer.from('echo-me'))
    await until(() => c.got.includes('echo-me'))
    expect(c.got).toContain('echo-me')
  })
})
