// SPDX-License-Identifier: Apache-2.0
// Bootstrap, then register over DTLS (issue 15 items 3 and 5): a simulated device bootstraps over
// UDP from our Bootstrap Server, whose configuration gives it a Security instance for our own
// coaps:// listener — PSK (mode 0) or raw public key (mode 1, with the listener's key from
// system.info in /0/x/4). The run puts the device's credential into the store, and the device
// registers over DTLS right after, presenting what its Security object holds.
import { generateKeyPairSync } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BootstrapConfig } from '../../src-main/contract/bootstrap'
import type { DeviceDetail } from '../../src-main/contract/devices'
import type { CredentialDto, HandshakesPage } from '../../src-main/contract/security'
import type { SystemInfo } from '../../src-main/contract/system'
import { startBench, until, type SimBench } from '../helpers/simulator'

let bench: SimBench
beforeAll(async () => {
  bench = await startBench({ dtls: true })
})
afterAll(async () => {
  await bench.close()
})

const base = (endpoint: string, security: BootstrapConfig['security']): BootstrapConfig => ({
  endpoint,
  discoverFirst: true,
  deletePaths: ['/0', '/1'],
  security,
  servers: [{ instanceId: 0, shortServerId: 7, lifetime: 300, notificationStoring: false, binding: 'U' }],
  contentFormat: 'auto',
  allowPack: false
})

async function registeredOverDtls(endpoint: string): Promise<HandshakesPage['handshakes'][number]> {
  await until(`${endpoint} registered`, async () => {
    try {
      return await bench.call<DeviceDetail>('devices.get', { endpoint })
    } catch {
      return undefined
    }
  }, 20_000)
  return until('its DTLS handshake', async () => (await bench.call<HandshakesPage>('security.handshakes', { endpoint })).handshakes.find((h) => h.outcome === 'ok'))
}

describe('bootstrap over UDP, then Register over DTLS with the credentials it gave', () => {
  it('PSK (Security mode 0)', async () => {
    const uri = `coaps://127.0.0.1:${bench.coapsPort}`
    const cfg = base('bs-dtls-psk', [{ instanceId: 1, uri, bootstrapServer: false, securityMode: 0, publicKeyOrIdentity: 'bs-dtls-psk', identityEncoding: 'text', secretKey: '0f0e0d0c0b0a09080706050403020100', secretKeyEncoding: 'hex', shortServerId: 7 }])
    await bench.call('bootstrap.configs.put', { config: cfg })
    await bench.call('simulator.start', { bootstrap: bench.bsUri, endpoint: 'bs-dtls-psk' })
    const hs = await registeredOverDtls('bs-dtls-psk')
    expect(hs.suite).toMatch(/^TLS_PSK_WITH_AES_128_CCM_8/)
    const list = await bench.call<{ credentials: CredentialDto[] }>('security.list', { endpoint: 'bs-dtls-psk' })
    expect(list.credentials[0]).toMatchObject({ mode: 'psk', source: 'bootstrap' })
  })

  it('raw public key (Security mode 1, RFC 7250): the device pins the listener’s key from system.info', async () => {
    const info = await bench.call<SystemInfo>('system.info', {})
    const listener = info.capabilities.listeners.find((l) => l.role === 'LwM2M Server' && l.transport.startsWith('coaps'))
    expect(listener?.publicKey).toBeTruthy()
    const serverSpki = Buffer.from(listener?.publicKey as string, 'base64').toString('hex')
    const k = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const spki = k.publicKey.export({ format: 'der', type: 'spki' }).toString('hex')
    const pkcs8 = k.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('hex')
    const uri = `coaps://127.0.0.1:${bench.coapsPort}`
    const cfg = base('bs-dtls-rpk', [{ instanceId: 1, uri, bootstrapServer: false, securityMode: 1, publicKeyOrIdentity: spki, identityEncoding: 'hex', serverPublicKey: serverSpki, secretKey: pkcs8, secretKeyEncoding: 'hex', shortServerId: 7 }])
    await bench.call('bootstrap.configs.put', { config: cfg })
    await bench.call('simulator.start', { bootstrap: bench.bsUri, endpoint: 'bs-dtls-rpk' })
    const hs = await registeredOverDtls('bs-dtls-rpk')
    expect(hs.suite).toMatch(/^TLS_ECDHE_ECDSA_WITH_AES_128_/)
    const list = await bench.call<{ credentials: CredentialDto[] }>('security.list', { endpoint: 'bs-dtls-rpk' })
    expect(list.credentials[0]).toMatchObject({ mode: 'rpk', source: 'bootstrap' })
  })
})
