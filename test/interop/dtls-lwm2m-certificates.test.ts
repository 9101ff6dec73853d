// SPDX-License-Identifier: Apache-2.0
// LwM2M Register over DTLS with certificates and raw public keys (issue 15 items 1-3, Security
// modes 1 and 2): libcoap's coap-client registers with the workbench's DTLS listener, X.509 with the
// OpenSSL build (our listener's certificate from --dtls-cert/--dtls-key, the device's checked
// against the trust anchor stored by security.put) and a raw public key with the GnuTLS build (the
// device's SubjectPublicKeyInfo stored by security.put). A device whose certificate is not stored
// is refused, and the record says why.
import { spawnSync } from 'node:child_process'
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DevicesPage } from '../../src-main/contract/devices'
import type { HandshakesPage } from '../../src-main/contract/security'
import { startBench, until, type SimBench } from '../helpers/simulator'
import { tempDir } from '../helpers/temp-dir'
import { runProcess } from '../helpers/run-process'

let dir: { path: string; cleanup: () => void }
const f = (name: string): string => join(dir.path, name)
let bench: SimBench

function openssl(...args: string[]): void {
  const r = spawnSync('openssl', args, { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`)
}


beforeAll(async () => {
  dir = tempDir()
  openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f('ca.key'))
  openssl('req', '-x509', '-new', '-key', f('ca.key'), '-subj', '/CN=Factory CA', '-days', '2', '-out', f('ca.pem'))
  for (const [name, cn] of [['server', 'localhost'], ['device', 'cert-dev'], ['stranger', 'cert-stranger'], ['rpk', 'unused'], ['sim', 'sim-cert']]) {
    openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f(`${name}.ec`))
    openssl('pkcs8', '-topk8', '-nocrypt', '-in', f(`${name}.ec`), '-out', f(`${name}.key`))
    openssl('req', '-new', '-key', f(`${name}.key`), '-subj', `/CN=${cn}`, '-out', f(`${name}.csr`))
    openssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-out', f(`${name}.pem`))
    openssl('pkey', '-in', f(`${name}.key`), '-pubout', '-out', f(`${name}.pub.pem`))
  }
  bench = await startBench({ dtls: true, certFile: f('server.pem'), keyFile: f('server.key') })
})
afterAll(async () => {
  await bench.close()
  dir.cleanup()
})

async function registered(ep: string): Promise<boolean> {
  const page = await bench.call<DevicesPage>('devices.list', { filter: ep })
  return page.devices.some((d) => d.endpoint === ep)
}

describe('LwM2M Register over DTLS with certificates (Security mode 2) and raw public keys (mode 1)', () => {
  it('coap-client-openssl with an X.509 client certificate from the trusted CA registers (ECDHE_ECDSA)', async () => {
    await bench.call('security.put', { endpoint: 'cert-dev', mode: 'x509', trust: readFileSync(f('ca.pem'), 'utf8') })
    const r = await runProcess('coap-client-openssl', ['-m', 'post', '-c', f('device.pem'), '-j', f('device.key'), '-C', f('ca.pem'), '-e', '</3/0>', '-t', '40', '-B', '10', `coaps://127.0.0.1:${bench.coapsPort}/rd?ep=cert-dev&lt=120&lwm2m=1.1`])
    expect(r.status, r.out).toBe(0)
    expect(await registered('cert-dev')).toBe(true)
    const ok = (await bench.call<HandshakesPage>('security.handshakes', {})).handshakes.find((h) => h.endpoint === 'cert-dev' && h.outcome === 'ok')
    expect(ok?.suite).toMatch(/^TLS_ECDHE_ECDSA_WITH_AES_128_/)
  })

  it('coap-client-gnutls with a raw public key stored through security.put registers (RFC 7250)', async () => {
    await bench.call('security.put', { endpoint: 'rpk-dev', mode: 'rpk', key: readFileSync(f('rpk.pub.pem'), 'utf8') })
    const r = await runProcess('coap-client-gnutls', ['-m', 'post', '-M', f('rpk.ec'), '-e', '</3/0>', '-t', '40', '-B', '10', `coaps://127.0.0.1:${bench.coapsPort}/rd?ep=rpk-dev&lt=120&lwm2m=1.1`])
    expect(r.status, r.out).toBe(0)
    expect(await registered('rpk-dev')).toBe(true)
  })

  it('a certificate nobody stored is refused, and the handshake record names the reason', async () => {
    const r = await runProcess('coap-client-openssl', ['-m', 'post', '-c', f('stranger.pem'), '-j', f('stranger.key'), '-C', f('ca.pem'), '-B', '3', `coaps://127.0.0.1:${bench.coapsPort}/rd?ep=cert-stranger&lt=120`])
    expect(r.status).not.toBe(null)
    expect(await registered('cert-stranger')).toBe(false)
    const rec = await until('the refused handshake', async () => (await bench.call<HandshakesPage>('security.handshakes', {})).handshakes.find((h) => h.outcome === 'failed' && /cert-stranger/.test(h.message + (h.identity ?? ''))))
    expect(['cert_untrusted', 'name_mismatch']).toContain(rec.cause)
  })
})

describe('a simulated device in Security mode 2 (certificate) bootstraps, then registers over DTLS with its certificate', () => {
  it('the device presents its certificate and pins ours (Certificate Usage 3, the default); the run stores its credential', async () => {
    const der = (pem: string): string => Buffer.from(new X509Certificate(readFileSync(f(pem))).raw).toString('hex')
    const pkcs8 = createPrivateKey(readFileSync(f('sim.key'))).export({ format: 'der', type: 'pkcs8' }).toString('hex')
    const cfg = {
      endpoint: 'sim-cert',
      discoverFirst: true,
      deletePaths: ['/0', '/1'],
      security: [{ instanceId: 1, uri: `coaps://127.0.0.1:${bench.coapsPort}`, bootstrapServer: false, securityMode: 2, publicKeyOrIdentity: der('sim.pem'), identityEncoding: 'hex', serverPublicKey: der('server.pem'), secretKey: pkcs8, secretKeyEncoding: 'hex', shortServerId: 7 }],
      servers: [{ instanceId: 0, shortServerId: 7, lifetime: 300, notificationStoring: false, binding: 'U' }],
      contentFormat: 'auto',
      allowPack: false
    }
    await bench.call('bootstrap.configs.put', { config: cfg })
    await bench.call('simulator.start', { bootstrap: bench.bsUri, endpoint: 'sim-cert' })
    await until('sim-cert registered', async () => ((await registered('sim-cert')) ? true : undefined), 20_000)
    const hs = (await bench.call<HandshakesPage>('security.handshakes', { endpoint: 'sim-cert' })).handshakes.find((h) => h.outcome === 'ok')
    expect(hs?.suite).toMatch(/^TLS_ECDHE_ECDSA_WITH_AES_128_/)
  })
})
