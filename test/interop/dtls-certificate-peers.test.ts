// SPDX-License-Identifier: Apache-2.0
// ECDHE_ECDSA against peers nobody here wrote (issue 15 items 1-2): X.509 with OpenSSL
// (`s_client`/`s_server -dtls1_2`, Debian 12's OpenSSL 3.0 has no RFC 7250) and raw public keys
// and X.509 with GnuTLS (`gnutls-cli`/`gnutls-serv --udp`), in both directions. Keys and
// certificates (P-256, a CA, a server "localhost" and a client "dev-x509") are made by the openssl
// CLI for each run. Both ends authenticate: LwM2M's certificate modes are mutual.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { CertificateKind } from '../../src-main/core/dtls/certificate-messages'
import type { HandshakeFailure, OwnCertificate, PeerCheck, SessionInfo } from '../../src-main/core/dtls/connection'
import { DtlsClientLink } from '../../src-main/transports/dtls/dtls-client-link'
import { DtlsServerLink } from '../../src-main/transports/dtls/dtls-server-link'
import { tempDir } from '../helpers/temp-dir'

let dir: { path: string; cleanup: () => void }
const f = (name: string): string => join(dir.path, name)
let ca: X509Certificate
let serverOwn: OwnCertificate
let clientOwn: OwnCertificate

function openssl(...args: string[]): void {
  const r = spawnSync('openssl', args, { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`)
}

function own(name: string): OwnCertificate {
  const key = createPrivateKey(readFileSync(f(`${name}.key`)))
  const cert = new X509Certificate(readFileSync(f(`${name}.pem`)))
  return {
    privateKey: new Uint8Array(key.export({ format: 'der', type: 'pkcs8' })),
    publicKey: new Uint8Array(createPublicKey(key).export({ format: 'der', type: 'spki' })),
    chain: [new Uint8Array(cert.raw)]
  }
}

beforeAll(() => {
  dir = tempDir()
  openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f('ca.key'))
  openssl('req', '-x509', '-new', '-key', f('ca.key'), '-subj', '/CN=Test CA', '-days', '2', '-out', f('ca.pem'))
  for (const [name, cn] of [['server', 'localhost'], ['client', 'dev-x509']]) {
    openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f(`${name}.ec`))
    openssl('pkcs8', '-topk8', '-nocrypt', '-in', f(`${name}.ec`), '-out', f(`${name}.key`))
    openssl('req', '-new', '-key', f(`${name}.key`), '-subj', `/CN=${cn}`, '-out', f(`${name}.csr`))
    openssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-out', f(`${name}.pem`))
    openssl('pkey', '-in', f(`${name}.key`), '-pubout', '-out', f(`${name}.pub.pem`))
  }
  ca = new X509Certificate(readFileSync(f('ca.pem')))
  serverOwn = own('server')
  clientOwn = own('client')
})
afterAll(() => dir.cleanup())

let child: ChildProcess | undefined
let server: DtlsServerLink | undefined
let client: DtlsClientLink | undefined
afterEach(async () => {
  child?.kill('SIGKILL')
  child = undefined
  await server?.close()
  server = undefined
  await client?.close()
  client = undefined
})

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i])

/** The check a credential store makes: X.509 signed by our test CA (identity = CN), or a known raw key. */
function checker(knownKey: Uint8Array): (kind: CertificateKind, entries: readonly Uint8Array[]) => PeerCheck {
  return (kind, entries) => {
    const leaf = entries[0] as Uint8Array
    if (kind === 'rpk') return same(leaf, knownKey) ? { ok: true, identity: leaf, endpoint: 'dev-rpk' } : { ok: false, cause: 'cert_untrusted', message: 'unknown raw public key', evidence: {} }
    const cert = new X509Certificate(Buffer.from(leaf))
    if (!cert.verify(ca.publicKey)) return { ok: false, cause: 'cert_untrusted', message: `${cert.subject} is not signed by the test CA`, evidence: {} }
    const cn = /CN=([^\n,]+)/.exec(cert.subject)?.[1] ?? ''
    return { ok: true, identity: new TextEncoder().encode(cn), endpoint: cn }
  }
}

async function echoServer(types?: CertificateKind[]): Promise<{ port: number; sessions: SessionInfo[]; failures: HandshakeFailure[] }> {
  const sessions: SessionInfo[] = []
  const failures: HandshakeFailure[] = []
  const s = await DtlsServerLink.open({
    host: '127.0.0.1',
    port: 0,
    pskLookup: () => null,
    certificate: serverOwn,
    verifyPeer: checker(clientOwn.publicKey),
    ...(types ? { certificateTypes: types } : {}),
    onEstablished: (_p, i) => sessions.push(i),
    onFailed: (_r, x) => failures.push(x)
  })
  s.onReceive((peer, d) => s.send(peer, Buffer.concat([Buffer.from('echo:'), Buffer.from(d)])))
  server = s
  return { port: s.port, sessions, failures }
}

function runUntil(cmd: string, args: string[], input: string, until: RegExp, ms = 8000): Promise<string> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] })
    child = p
    let out = ''
    let sent = false
    const done = (): void => {
      clearTimeout(timer)
      p.kill('SIGKILL')
      resolve(out)
    }
    const timer = setTimeout(done, ms)
    const on = (b: Buffer): void => {
      out += b.toString()
      if (!sent && /Handshake was completed|CONNECTED|Verify return code|Session ID/.test(out)) {
        sent = true
        setTimeout(() => p.stdin?.write(input + '\n'), 300)
      }
      if (until.test(out)) done()
    }
    p.stdout?.on('data', on)
    p.stderr?.on('data', on)
    p.on('exit', () => done())
  })
}

describe('our DTLS server with ECDHE_ECDSA certificates', () => {
  for (const [cipher, iana] of [
    ['ECDHE-ECDSA-AES128-CCM8', 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'],
    ['ECDHE-ECDSA-AES128-GCM-SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'],
    ['ECDHE-ECDSA-AES128-SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256']
  ] as const) {
    it(`openssl s_client (X.509 both ways): ${iana}`, async () => {
      const { port, sessions, failures } = await echoServer()
      const out = await runUntil('openssl', ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${port}`, '-cert', f('client.pem'), '-key', f('client.key'), '-CAfile', f('ca.pem'), '-verify_return_error', '-cipher', cipher, '-ign_eof'], 'hello-x509', /echo:hello-x509/)
      expect(failures).toEqual([])
      expect(sessions[0]?.suite.name).toBe(iana)
      expect(sessions[0]?.peerEndpoint).toBe('dev-x509')
      expect(out).toContain('Verify return code: 0 (ok)')
      expect(out).toContain('echo:hello-x509')
    })
  }

  it('gnutls-cli with raw public keys on both sides (RFC 7250)', async () => {
    const { port, sessions, failures } = await echoServer()
    const out = await runUntil('gnutls-cli', ['--udp', '--port', String(port), '--priority', 'NORMAL:-VERS-ALL:+VERS-DTLS1.2:+CTYPE-CLI-RAWPK:+CTYPE-SRV-RAWPK:-KX-ALL:+ECDHE-ECDSA:-CIPHER-ALL:+AES-128-CCM-8', '--rawpkkeyfile', f('client.key'), '--rawpkfile', f('client.pub.pem'), '--insecure', '127.0.0.1'], 'hello-rpk', /echo:hello-rpk/)
    expect(failures).toEqual([])
    expect(sessions[0]?.certificateTypes).toEqual({ client: 'rpk', server: 'rpk' })
    expect(sessions[0]?.peerEndpoint).toBe('dev-rpk')
    expect(out).toContain('echo:hello-rpk')
  })

  it('gnutls-cli with X.509 and our CA', async () => {
    const { port, sessions, failures } = await echoServer()
    const out = await runUntil('gnutls-cli', ['--udp', '--port', String(port), '--priority', 'NORMAL:-VERS-ALL:+VERS-DTLS1.2:-KX-ALL:+ECDHE-ECDSA', '--x509certfile', f('client.pem'), '--x509keyfile', f('client.key'), '--x509cafile', f('ca.pem'), 'localhost'], 'hello-gx', /echo:hello-gx/)
    expect(failures).toEqual([])
    expect(sessions[0]?.certificateTypes).toEqual({ client: 'x509', server: 'x509' })
    expect(out).toContain('echo:hello-gx')
  })

  it('a client certificate from another CA is refused with the reason', async () => {
    const { port, failures } = await echoServer()
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', f('rogue.key'), '-subj', '/CN=rogue', '-days', '1', '-out', f('rogue.pem'))
    await runUntil('openssl', ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${port}`, '-cert', f('rogue.pem'), '-key', f('rogue.key'), '-CAfile', f('ca.pem'), '-cipher', 'ECDHE-ECDSA-AES128-CCM8'], 'x', /alert/i, 5000)
    expect(failures[0]?.cause).toBe('cert_untrusted')
    expect(failures[0]?.message).toMatch(/CN=rogue is not signed by the test CA/)
  })
})

async function freePort(): Promise<number> {
  const s = createSocket('udp4')
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))
  const port = s.address().port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

function startPeer(cmd: string, args: string[], ready: RegExp): Promise<() => string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] })
    child = p
    let out = ''
    const t = setTimeout(() => reject(new Error(`${cmd} did not start: ${out}`)), 5000)
    const on = (b: Buffer): void => {
      out += b.toString()
      if (ready.test(out)) {
        clearTimeout(t)
        resolve(() => out)
      }
    }
    p.stdout?.on('data', on)
    p.stderr?.on('data', on)
  })
}

async function ourClient(port: number, types?: CertificateKind[]): Promise<{ info: Promise<SessionInfo>; got: string[] }> {
  const got: string[] = []
  client = await DtlsClientLink.open({
    server: { address: '127.0.0.1', port },
    suites: [0xc0ae, 0xc02b, 0xc023],
    certificate: clientOwn,
    verifyPeer: checker(serverOwn.publicKey),
    ...(types ? { certificateTypes: types } : {}),
    timing: { initialMs: 500, maxMs: 2000, maxTransmissions: 4 }
  })
  client.onReceive((_p, d) => got.push(Buffer.from(d).toString()))
  return { info: client.connect(), got }
}

describe('our DTLS client with ECDHE_ECDSA certificates', () => {
  it('against openssl s_server (X.509 both ways, client certificate required)', async () => {
    const port = await freePort()
    const out = await startPeer('openssl', ['s_server', '-4', '-dtls1_2', '-port', String(port), '-cert', f('server.pem'), '-key', f('server.key'), '-CAfile', f('ca.pem'), '-Verify', '1', '-cipher', 'ECDHE-ECDSA-AES128-CCM8'], /ACCEPT/)
    const c = await ourClient(port, ['x509'])
    const info = await c.info
    expect(info.suite.name).toBe('TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8')
    expect(info.peerEndpoint).toBe('localhost')
    client?.send(client.peer, Buffer.from('from-our-client\n'))
    const end = Date.now() + 5000
    while (!out().includes('from-our-client') && Date.now() < end) await new Promise((r) => setTimeout(r, 20))
    expect(out()).toContain('from-our-client')
    expect(out()).toMatch(/CN\s*=\s*dev-x509/)
  })

  it('against gnutls-serv with raw public keys (RFC 7250)', async () => {
    const port = await freePort()
    writeFileSync(f('noop'), '')
    await startPeer('gnutls-serv', ['--udp', '--echo', '--port', String(port), '--priority', 'NORMAL:-VERS-ALL:+VERS-DTLS1.2:+CTYPE-CLI-RAWPK:+CTYPE-SRV-RAWPK:-KX-ALL:+ECDHE-ECDSA', '--rawpkkeyfile', f('server.key'), '--rawpkfile', f('server.pub.pem'), '--require-client-cert'], /listening|ready/i)
    const c = await ourClient(port)
    const info = await c.info
    expect(info.certificateTypes).toEqual({ client: 'rpk', server: 'rpk' })
    client?.send(client.peer, Buffer.from('rpk-echo'))
    const end = Date.now() + 5000
    while (!c.got.includes('rpk-echo') && Date.now() < end) await new Promise((r) => setTimeout(r, 20))
    expect(c.got).toContain('rpk-echo')
  })
})
