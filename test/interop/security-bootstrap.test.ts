// Issue 15 item 3: "a bootstrap run that gives a device credentials for this tool's own server puts
// them into the same store, so the device can register right after". A real bootstrap run of a
// simulated device against the project's Bootstrap Server over UDP. The DTLS listener itself is
// the lead's part of issue 15 and not here yet: the test names a coaps port for it through
// security.setOwnListeners (what the workbench does from system.info's listeners once it exists).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BootstrapConfig, BootstrapRunDto } from '../../src-main/contract/bootstrap'
import type { CredentialDto } from '../../src-main/contract/security'
import type { EventPayloads } from '../../src-main/contract/events'
import { startBench, until, type SimBench } from '../helpers/simulator'

const KEY = '3c1a9e0b7d2f4a6581c3e5f7091b2d4f'
const DTLS_PORT = 45_684
let bench: SimBench
const call = <T>(method: string, params: unknown): Promise<T> => bench.call<T>(method, params)

const config = (endpoint: string, uri: string, identity: string): BootstrapConfig => ({
  endpoint,
  discoverFirst: true,
  deletePaths: ['/0', '/1'],
  security: [{ instanceId: 1, uri, bootstrapServer: false, securityMode: 0, publicKeyOrIdentity: identity, identityEncoding: 'text', secretKey: KEY, secretKeyEncoding: 'hex', shortServerId: 7 }],
  servers: [{ instanceId: 0, shortServerId: 7, lifetime: 300, notificationStoring: false, binding: 'U' }],
  contentFormat: 'auto',
  allowPack: false
})

async function bootstrapDevice(endpoint: string): Promise<BootstrapRunDto> {
  const { fleetId } = await call<{ fleetId: string }>('simulator.start', { bootstrap: bench.bsUri, endpoint, lwm2m: '1.1' })
  const run = await until(`${endpoint}'s bootstrap run`, async () => {
    const [r] = (await call<{ runs: BootstrapRunDto[] }>('bootstrap.runs.list', { endpoint })).runs
    return r && r.outcome !== 'running' ? r : undefined
  })
  await call('simulator.stop', { fleetId })
  return run
}

beforeAll(async () => {
  bench = await startBench()
  bench.wb.security.setOwnListeners(() => [{ role: 'server', address: '127.0.0.1', port: DTLS_PORT }])
})
afterAll(async () => {
  await bench?.close()
})

describe('credentials from a bootstrap run (issue 15 item 3)', () => {
  it('a PSK Security instance for coaps://127.0.0.1:<our DTLS port> lands in the store, key masked, found by its identity', async () => {
    await call('bootstrap.configs.put', { config: config('bs-psk', `coaps://127.0.0.1:${DTLS_PORT}`, 'bs-psk-id') })
    const run = await bootstrapDevice('bs-psk')
    expect(run.outcome).toBe('success')
    const { credentials } = await call<{ credentials: CredentialDto[] }>('security.list', { endpoint: 'bs-psk' })
    expect(credentials).toEqual([
      expect.objectContaining({ endpoint: 'bs-psk', role: 'server', mode: 'psk', identity: 'bs-psk-id', key: '•••• (16 bytes, hidden)', source: 'bootstrap' })
    ])
    const psk = bench.wb.security.psk('server', new TextEncoder().encode('bs-psk-id'))
    expect(psk && Buffer.from(psk.key).toString('hex')).toBe(KEY)
    expect(bench.events.some(([n, p]) => n === 'security.changed' && (p as EventPayloads['security.changed']).endpoint === 'bs-psk')).toBe(true)
  })

  it("localhost counts as our own host too; somebody else's server (192.0.2.1) or another port does not", async () => {
    await call('bootstrap.configs.put', { config: config('bs-local', `coaps://localhost:${DTLS_PORT}`, 'bs-local-id') })
    await call('bootstrap.configs.put', { config: config('bs-foreign', 'coaps://192.0.2.1:5684', 'bs-foreign-id') })
    await call('bootstrap.configs.put', { config: config('bs-port', `coaps://127.0.0.1:${DTLS_PORT + 1}`, 'bs-port-id') })
    for (const ep of ['bs-local', 'bs-foreign', 'bs-port']) expect((await bootstrapDevice(ep)).outcome).toBe('success')
    const list = (await call<{ credentials: CredentialDto[] }>('security.list', {})).credentials.map((c) => c.endpoint)
    expect(list).toContain('bs-local')
    expect(list).not.toContain('bs-foreign')
    expect(list).not.toContain('bs-port')
  })

  it('an identity another endpoint holds is not taken over: the run is reported as refused for the store', async () => {
    await call('security.put', { endpoint: 'owner', mode: 'psk', identity: 'shared-id', key: KEY })
    await call('bootstrap.configs.put', { config: config('bs-clash', `coaps://127.0.0.1:${DTLS_PORT}`, 'shared-id') })
    await bootstrapDevice('bs-clash')
    expect(bench.wb.security.endpointFor('server', new TextEncoder().encode('shared-id'))).toBe('owner')
    const refused = bench.events.find(([n, p]) => n === 'security.changed' && (p as EventPayloads['security.changed']).change === 'refused')
    expect(refused?.[1]).toMatchObject({ endpoint: 'bs-clash', reason: expect.stringMatching(/belongs to owner/) })
  })
})
