// BootstrapService over the real SQLite store (issue 12 items 7, 12, 13, 14): what is checked before
// a configuration is saved, how configurations stored by earlier builds read, and what a run keeps.
import { afterAll, describe, expect, it } from 'vitest'
import type { BootstrapConfig } from '../../../src-main/contract/bootstrap'
import { ServiceError } from '../../../src-main/contract/errors'
import { BootstrapService } from '../../../src-main/services/bootstrap-service'
import { EventHub } from '../../../src-main/services/event-hub'
import { SecretBox } from '../../../src-main/services/secret-box'
import { BootstrapStore, type StoredRun } from '../../../src-main/store/bootstrap-store'
import { openDatabase } from '../../../src-main/store/database'
import { tempDir } from '../../helpers/temp-dir'

const dir = tempDir()
const database = openDatabase(dir.path)
const store = new BootstrapStore(database.db, SecretBox.forDataDir(dir.path))
const service = new BootstrapService(store, new EventHub(), async () => ({ get: () => undefined }))
afterAll(() => {
  database.close()
  dir.cleanup()
})

const config = (over: Partial<BootstrapConfig> = {}, uri = 'coap://192.0.2.1:5683'): BootstrapConfig => ({
  endpoint: 'dev1',
  discoverFirst: true,
  deletePaths: ['/0', '/1'],
  security: [{ instanceId: 1, uri, bootstrapServer: false, securityMode: 3, shortServerId: 101 }],
  servers: [{ instanceId: 0, shortServerId: 101, lifetime: 300, notificationStoring: true, binding: 'U' }],
  contentFormat: 'auto',
  allowPack: true,
  ...over
})
const refusal = (f: () => unknown): ServiceError => {
  try {
    f()
  } catch (e) {
    return e as ServiceError
  }
  throw new Error('expected a refusal')
}

describe('item 12: a useless configuration is not ready', () => {
  it('the old UI template ("*", coap://<server-host>) is refused with the problem, and no default appears', () => {
    const e = refusal(() => service.put(config({ endpoint: '*' }, 'coap://<server-host>:5683')))
    expect(e.code).toBe('bootstrap.invalid_config')
    expect((e.details as { problems: string[] }).problems.join()).toMatch(/placeholder/)
    expect(service.list().configs.map((c) => c.endpoint)).not.toContain('*')
  })
  it('check names problems and warnings without saving; a scheme not served yet only warns', () => {
    expect(service.check(config({}, 'coap://0.0.0.0')).problems.join()).toMatch(/0\.0\.0\.0/)
    const saved = service.put(config({ endpoint: 'secure' }, 'coaps://lwm2m.example.com:5684'))
    expect(saved.problems).toEqual([])
    expect(saved.warnings.join()).toMatch(/"coaps" .* does not serve it yet/)
  })
})

describe('item 7: endpoint names follow the one shared rule', () => {
  it('put and import refuse a name with a control character', () => {
    expect(refusal(() => service.put(config({ endpoint: 'dev\u0000x' }))).message).toMatch(/control character/)
    expect(refusal(() => service.import([config({ endpoint: 'a\tb' })])).code).toBe('bootstrap.invalid_config')
  })
})

describe('item 13: PSK entry encodings', () => {
  it('a text identity and a base64 key are saved with their encodings spelled out', () => {
    const psk = config({ endpoint: 'psk-dev', security: [{ instanceId: 1, uri: 'coap://192.0.2.1', bootstrapServer: false, securityMode: 0, shortServerId: 101, publicKeyOrIdentity: 'psk-dev', identityEncoding: 'text', secretKey: 'AAECAwQFBgcICQoLDA0ODw==', secretKeyEncoding: 'base64' }] })
    expect(service.put(psk).problems).toEqual([])
    expect(service.get('psk-dev').config.security[0]).toMatchObject({ identityEncoding: 'text', secretKeyEncoding: 'base64' })
  })
  it('odd hex is refused with a plain message', () => {
    const bad = config({ endpoint: 'odd', security: [{ instanceId: 1, uri: 'coap://192.0.2.1', bootstrapServer: false, securityMode: 0, shortServerId: 101, publicKeyOrIdentity: '6964', secretKey: '0011223', secretKeyEncoding: 'hex' }] })
    expect(refusal(() => service.put(bad)).message).toMatch(/odd number of hex digits/)
  })
  it('a configuration stored before the encoding fields existed reads as hex and stays ready', () => {
    const old = config({ endpoint: 'legacy', security: [{ instanceId: 1, uri: 'coap://192.0.2.1', bootstrapServer: false, securityMode: 0, shortServerId: 101, publicKeyOrIdentity: '6964', secretKey: '000102030405060708090a0b0c0d0e0f' }] })
    store.putConfig('legacy', old, new Date()) // as the earlier build stored it, without the fields
    const got = service.get('legacy')
    expect(got.config.security[0]).toMatchObject({ publicKeyOrIdentity: '6964', identityEncoding: 'hex', secretKey: '000102030405060708090a0b0c0d0e0f', secretKeyEncoding: 'hex' })
    expect(got.problems).toEqual([])
  })
})

describe('item 14: the run record survives the store (migration 3)', () => {
  const run: StoredRun = {
    id: 'r1', endpoint: 'dev1', kind: 'request', peer: '127.0.0.1:1', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: null, outcome: 'running', detail: '', format: null, clientVersion: null, steps: [],
    config: { endpoint: '*', matched: 'default' },
    bootstrapAccount: 0,
    instances: [{ configured: '/0/0', used: '/0/1', note: 'moved' }],
    written: [{ path: '/0/1/5', type: 'opaque', value: '•••• (16 bytes, hidden)' }]
  }
  it('keeps the matched configuration, the instances and the masked values', () => {
    store.saveRun(run)
    expect(service.runs('dev1').runs[0]).toMatchObject({ config: run.config, bootstrapAccount: 0, instances: run.instances, written: run.written })
  })
  it('a run recorded before the migration reads with an empty record', () => {
    database.db.prepare(`INSERT INTO bootstrap_runs (id, endpoint, kind, peer, started_at, outcome, detail, steps) VALUES ('old', 'ancient', 'request', 'p', '2020-01-01', 'success', '', '[]')`).run()
    expect(service.runs('ancient').runs[0]).toMatchObject({ config: null, bootstrapAccount: null, instances: [], written: [] })
  })
})
