// Issue 15 items 3 and 6: the credential store over the real SQLite store, sealed at rest with the
// SecretBox, looked up from memory by (role, identity), and the bounded record of handshakes.
import { afterAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { BootstrapConfig, BootstrapRunDto } from '../../../src-main/contract/bootstrap'
import type { EventName, EventPayloads } from '../../../src-main/contract/events'
import { ServiceError } from '../../../src-main/contract/errors'
import { EventHub } from '../../../src-main/services/event-hub'
import { SecretBox } from '../../../src-main/services/secret-box'
import { SecurityService } from '../../../src-main/services/security-service'
import type { HandshakeRecordInput } from '../../../src-main/services/credential-lookup'
import { CredentialStore } from '../../../src-main/store/credential-store'
import { openDatabase, type Database } from '../../../src-main/store/database'
import { makePki } from '../../helpers/pki'
import { tempDir } from '../../helpers/temp-dir'

const KEY = '8a1f0c44d2b7e9356a10bc3d4e5f6071'
const enc = (s: string) => new TextEncoder().encode(s)
const dir = tempDir()
const databases: Database[] = []
const open = (events = new EventHub()) => {
  const database = openDatabase(dir.path)
  databases.push(database)
  const store = new CredentialStore(database.db, SecretBox.forDataDir(dir.path))
  return { store, events, service: new SecurityService({ store, events, bootstrapConfig: () => undefined, ownListeners: () => [] }) }
}
afterAll(() => {
  databases.forEach((d) => d.close())
  dir.cleanup()
})
const refusal = (f: () => unknown): ServiceError => {
  try {
    f()
  } catch (e) {
    return e as ServiceError
  }
  throw new Error('expected a refusal')
}
const pki = makePki('x509-dev')

describe('PSK credentials (item 3)', () => {
  const { service } = open()
  it('security.put defaults to role server, identity text, key hex; list masks the key', () => {
    const c = service.put({ endpoint: 'sim-1', mode: 'psk', identity: 'sim-1', key: KEY })
    expect(c).toMatchObject({ endpoint: 'sim-1', role: 'server', mode: 'psk', identity: 'sim-1', key: '•••• (16 bytes, hidden)', source: 'user' })
    expect(JSON.stringify(service.list())).not.toContain(KEY)
  })
  it('lists in windows, filtered by endpoint or identity', () => {
    const { service: s } = open()
    for (let i = 0; i < 30; i++) s.put({ endpoint: `win-${String(i).padStart(2, '0')}`, mode: 'psk', identity: `win-id-${i}`, key: KEY })
    const page = s.list({ filter: 'win-', cursor: 10, limit: 5 })
    expect(page.total).toBe(30)
    expect(page.credentials.map((c) => c.endpoint)).toEqual(['win-10', 'win-11', 'win-12', 'win-13', 'win-14'])
    expect(s.list({ filter: 'WIN-ID-29' }).credentials.map((c) => c.endpoint)).toEqual(['win-29'])
  })
  it('the key is sealed at rest: neither the database nor its WAL holds it', () => {
    const files = ['workbench.sqlite', 'workbench.sqlite-wal'].map((f) => readFileSync(join(dir.path, f)))
    for (const b of files) {
      expect(b.includes(Buffer.from(KEY))).toBe(false)
      expect(b.includes(Buffer.from(KEY, 'hex'))).toBe(false)
    }
  })
  it('psk(role, identity) answers from memory: not one SQL statement per look-up', () => {
    const db = databases[0]?.db as Database['db']
    let statements = 0
    const prepare = db.prepare.bind(db)
    db.prepare = ((sql: string) => (statements++, prepare(sql))) as typeof db.prepare
    try {
      const k = service.psk('server', enc('sim-1'))
      expect(k && Buffer.from(k.key).toString('hex')).toBe(KEY)
      expect(k?.endpoint).toBe('sim-1')
      expect(service.psk('bootstrap', enc('sim-1'))).toBeNull()
      expect(service.psk('server', enc('nobody'))).toBeNull()
      expect(service.endpointFor('server', enc('sim-1'))).toBe('sim-1')
      for (let i = 0; i < 10_000; i++) service.psk('server', enc(`flood-${i}`))
      expect(statements).toBe(0)
    } finally {
      db.prepare = prepare
    }
  })
  it('one credential per (endpoint, role): a second put replaces the first and its old identity no longer resolves', () => {
    service.put({ endpoint: 'sim-1', mode: 'psk', identity: 'sim-1-new', key: KEY })
    expect(service.psk('server', enc('sim-1'))).toBeNull()
    expect(service.endpointFor('server', enc('sim-1-new'))).toBe('sim-1')
    service.put({ endpoint: 'sim-1', role: 'bootstrap', mode: 'psk', identity: '00ff', identityEncoding: 'hex', key: Buffer.from(KEY, 'hex').toString('base64'), keyEncoding: 'base64' })
    expect(service.list({ endpoint: 'sim-1' }).credentials.map((c) => [c.role, c.identity])).toEqual([['bootstrap', '0x00ff'], ['server', 'sim-1-new']])
    expect(service.psk('bootstrap', new Uint8Array([0, 255]))?.endpoint).toBe('sim-1')
  })
  it('an identity names one endpoint per role: a second endpoint with it is refused', () => {
    const e = refusal(() => service.put({ endpoint: 'sim-2', mode: 'psk', identity: 'sim-1-new', key: KEY }))
    expect(e.code).toBe('security.identity_taken')
    expect(e.message).toMatch(/belongs to sim-1 already/)
    expect(service.list({ endpoint: 'sim-2' }).credentials).toEqual([])
  })
  it('refuses the mix-ups with the problem per field, and saves nothing', () => {
    const e = refusal(() => service.put({ endpoint: 'sim-3', mode: 'psk', identity: 'sim-3', key: 'hunter2hunter2' }))
    expect(e.code).toBe('security.invalid_credential')
    expect((e.details as { fields: Record<string, string> }).fields.key).toMatch(/looks like text/)
    expect(e.message).not.toContain('hunter2')
    expect(service.check({ endpoint: 'sim-3', mode: 'psk', identity: '', key: KEY }).fields).toEqual({ identity: 'the PSK identity is empty' })
    expect(service.list({ endpoint: 'sim-3' }).credentials).toEqual([])
  })
  it('survives a restart: a new service over the same store finds the key', () => {
    const again = open().service
    expect(Buffer.from(again.psk('server', enc('sim-1-new'))?.key ?? []).toString('hex')).toBe(KEY)
  })
  it('a credential sealed with another key (the desktop keyring vs serve) is listed as unreadable, and the rest still work', () => {
    const other = tempDir()
    const database = openDatabase(other.path)
    databases.push(database)
    const sealedElsewhere = new CredentialStore(database.db, SecretBox.withKey(Buffer.alloc(32, 7), 'os-keyring'))
    sealedElsewhere.put({ endpoint: 'kr-dev', role: 'server', mode: 'psk', material: { identity: '6b72', key: KEY }, source: 'user', updatedAt: new Date().toISOString() })
    const store = new CredentialStore(database.db, SecretBox.forDataDir(other.path))
    store.put({ endpoint: 'file-dev', role: 'server', mode: 'psk', material: { identity: '6664', key: KEY }, source: 'user', updatedAt: new Date().toISOString() })
    const s = new SecurityService({ store, events: new EventHub(), bootstrapConfig: () => undefined, ownListeners: () => [] })
    expect(s.list()).toMatchObject({ credentials: [{ endpoint: 'file-dev' }], unreadable: [expect.stringMatching(/^kr-dev \(server\): a stored secret was sealed with another key/)] })
    expect(s.psk('server', enc('fd'))?.endpoint).toBe('file-dev')
    other.cleanup()
  })
  it('security.delete removes one (endpoint, role) and its look-ups', () => {
    expect(service.delete('sim-1', 'bootstrap')).toEqual({ deleted: true })
    expect(service.psk('bootstrap', new Uint8Array([0, 255]))).toBeNull()
    expect(service.delete('sim-1', 'bootstrap')).toEqual({ deleted: false })
    expect(service.list({ endpoint: 'sim-1' }).credentials).toHaveLength(1)
  })
})

describe('raw public keys and certificates (item 3, T §5, RFC 7925)', () => {
  const { service } = open()
  it('RPK: the device key (PEM) is found by its SubjectPublicKeyInfo', () => {
    const c = service.put({ endpoint: 'rpk-dev', mode: 'rpk', key: pki.devicePublicPem })
    expect(c).toMatchObject({ mode: 'rpk', key: 'EC P-256 public key', identity: expect.stringMatching(/^SHA-256 [0-9a-f:]+…$/) })
    expect(service.rpkEndpoint('server', pki.der(pki.devicePublicPem))).toBe('rpk-dev')
    expect(service.psk('server', pki.der(pki.devicePublicPem))).toBeNull()
  })
  it('RPK: a private key pasted where the public key belongs is refused in plain words', () => {
    expect(service.check({ endpoint: 'rpk-2', mode: 'rpk', key: pki.deviceKeyPem }).fields.key).toMatch(/private key .* a public key belongs here/)
  })
  it('X.509 with a trust anchor: a chain from that CA and CN = endpoint is accepted and bound to the endpoint', () => {
    service.put({ endpoint: 'x509-dev', mode: 'x509', trust: pki.caPem })
    expect(service.endpointFor('server', enc('x509-dev'))).toBe('x509-dev')
    expect(service.verifyPeerCertificate('server', [pki.der(pki.devicePem)], new Date())).toEqual({ ok: true, endpoint: 'x509-dev', cn: 'x509-dev' })
  })
  it('X.509: the same name from another CA is not trusted, with the chain as evidence', () => {
    const r = service.verifyPeerCertificate('server', [pki.der(pki.otherDevicePem), pki.der(pki.otherCaPem)], new Date())
    expect(r).toMatchObject({ ok: false, cause: 'cert_untrusted', message: expect.stringMatching(/none of the trust anchors/) })
    expect(!r.ok && r.evidence.chain).toHaveLength(2)
  })
  it('X.509: a certificate not valid at the time of the handshake is not trusted', () => {
    const r = service.verifyPeerCertificate('server', [pki.der(pki.devicePem)], new Date('2100-01-01'))
    expect(r).toMatchObject({ ok: false, cause: 'cert_untrusted', message: expect.stringMatching(/not valid now/) })
  })
  it('X.509 pinned: a CN other than the one the credential expects is refused when saving (RFC 7925 name check)', () => {
    const f = service.check({ endpoint: 'pinned-dev', mode: 'x509', certificate: pki.devicePem }).fields
    expect(f.identity).toMatch(/CN is "x509-dev", but the credential expects "pinned-dev"/)
  })
  it('X.509 pinned under its CN: the pinned certificate is accepted, another one of that CN is not', () => {
    const { service: s2 } = open()
    s2.put({ endpoint: 'pinned', mode: 'x509', identity: 'x509-dev', certificate: pki.devicePem, role: 'bootstrap' })
    expect(s2.verifyPeerCertificate('bootstrap', [pki.der(pki.devicePem)], new Date())).toMatchObject({ ok: true, endpoint: 'pinned' })
    expect(s2.verifyPeerCertificate('bootstrap', [pki.der(pki.otherDevicePem)], new Date())).toMatchObject({ ok: false, cause: 'cert_untrusted', message: /not the one stored/ })
  })
  it('X.509: a key pasted into an X.509 credential, or a private key as trust anchor, is refused', () => {
    const r = service.check({ endpoint: 'x2', mode: 'x509', key: 'aa', trust: pki.deviceKeyPem })
    expect(r.fields.key).toMatch(/takes no key/)
    expect(r.fields.trust).toMatch(/private key .* not a certificate/)
  })
})

describe('handshake records (item 6)', () => {
  const events = new EventHub()
  const seen: EventPayloads['security.handshake'][] = []
  events.subscribe((<E extends EventName>(n: E, p: EventPayloads[E]) => {
    if (n === 'security.handshake') seen.push(p as EventPayloads['security.handshake'])
  }) as never)
  const { service, store } = open(events)
  const rec = (i: number, over: Partial<HandshakeRecordInput> = {}): HandshakeRecordInput => ({
    role: 'server',
    direction: 'server',
    peer: `127.0.0.1:${40000 + i}`,
    identity: 'sim-1',
    endpoint: 'sim-1',
    outcome: 'failed',
    cause: 'wrong_key',
    message: 'wrong key for identity sim-1 (Finished did not verify)',
    evidence: { finished: 'mismatch', raw: new Uint8Array([1, 2]) },
    alert: { level: 2, description: 20, name: 'bad_record_mac', sent: true },
    suite: 'TLS_PSK_WITH_AES_128_CCM_8',
    ...over
  })
  it('records come back newest first with cause, message, evidence (bytes as hex) and alert; one event per batch', () => {
    for (let i = 0; i < 3; i++) service.recordHandshake(rec(i))
    service.recordHandshake(rec(3, { endpoint: 'other', identity: 'other', outcome: 'ok', cause: 'ok', message: 'ok' }))
    const page = service.handshakes({ endpoint: 'sim-1' })
    expect(page.handshakes.map((h) => h.peer)).toEqual(['127.0.0.1:40002', '127.0.0.1:40001', '127.0.0.1:40000'])
    expect(page.handshakes[0]).toMatchObject({ cause: 'wrong_key', message: /wrong key for identity sim-1/, evidence: { raw: '0102' }, alert: { name: 'bad_record_mac', sent: true } })
    expect(seen).toHaveLength(1)
    expect(seen[0]?.handshakes).toHaveLength(4)
  })
  it('filters by outcome', () => {
    expect(service.handshakes({ outcome: 'ok' }).handshakes.map((h) => h.peer)).toEqual(['127.0.0.1:40003'])
    expect(service.handshakes({ outcome: 'failed' }).handshakes).toHaveLength(3)
  })
  it('pages with a cursor', () => {
    const first = service.handshakes({ limit: 2 })
    expect(first.handshakes).toHaveLength(2)
    const second = service.handshakes({ limit: 2, cursor: first.nextCursor ?? undefined })
    expect(second.handshakes.map((h) => h.peer)).toEqual(['127.0.0.1:40001', '127.0.0.1:40000'])
    expect(service.handshakes({ limit: 2, cursor: second.nextCursor ?? undefined })).toEqual({ handshakes: [], nextCursor: null })
  })
  it('a record without an endpoint is filed under the endpoint its identity names (text or 0x-hex)', () => {
    service.put({ endpoint: 'hs-dev', mode: 'psk', identity: 'hs-id', key: KEY })
    service.put({ endpoint: 'hs-dev', role: 'bootstrap', mode: 'psk', identity: '00ff01', identityEncoding: 'hex', key: KEY })
    service.recordHandshake(rec(7, { identity: 'hs-id', endpoint: null }))
    service.recordHandshake(rec(8, { role: 'bootstrap', identity: '0x00ff01', endpoint: null }))
    service.recordHandshake(rec(9, { identity: 'stranger', endpoint: null, cause: 'unknown_psk_identity' }))
    expect(service.handshakes({ endpoint: 'hs-dev' }).handshakes.map((h) => h.peer)).toEqual(['127.0.0.1:40008', '127.0.0.1:40007'])
    expect(service.handshakes({ limit: 1 }).handshakes[0]).toMatchObject({ identity: 'stranger', endpoint: null })
    service.delete('hs-dev')
    service.delete('hs-dev', 'bootstrap')
  })
  it('a flood is bounded: at most 1000 wait for a write, the rest are counted as dropped', () => {
    seen.length = 0
    for (let i = 0; i < 1500; i++) service.recordHandshake(rec(i, { cause: 'unknown_psk_identity' }))
    service.flush()
    expect(seen[0]).toMatchObject({ dropped: 500 })
    expect(seen[0]?.handshakes).toHaveLength(1000)
  })
  it('never throws on whatever the DTLS layer hands in (fuzz): odd evidence, circular objects, bytes, bigints', () => {
    const circular: Record<string, unknown> = { a: 1 }
    circular.self = circular
    fc.assert(
      fc.property(fc.anything(), fc.option(fc.string(), { nil: null }), fc.string(), (evidence, identity, cause) => {
        service.recordHandshake(rec(1, { evidence: evidence as Record<string, unknown>, identity, cause, endpoint: null }))
      }),
      { numRuns: 300 }
    )
    service.recordHandshake(rec(2, { evidence: circular }))
    service.recordHandshake(rec(3, { evidence: { big: 10n ** 30n, bytes: new Uint8Array([0xde, 0xad]) } }))
    service.flush()
    const [last, before] = service.handshakes({ limit: 2 }).handshakes
    expect(last?.evidence).toEqual({ big: '1000000000000000000000000000000', bytes: 'dead' })
    expect(before?.evidence).toEqual({ unreadable: true })
  })
  it('the table keeps only the newest N', () => {
    store.appendHandshakes([0, 1, 2].map((i) => ({ ...rec(i), at: new Date().toISOString(), record: {} })), 5)
    expect(store.handshakeCount()).toBe(5)
  })
})

describe('credentials from a bootstrap run, through the bootstrap.progress event (item 3)', () => {
  const events = new EventHub()
  const configs = new Map<string, BootstrapConfig>()
  const database = openDatabase(dir.path)
  databases.push(database)
  const service = new SecurityService({
    store: new CredentialStore(database.db, SecretBox.forDataDir(dir.path)),
    events,
    bootstrapConfig: (name) => configs.get(name),
    ownListeners: () => [
      { role: 'server', address: '0.0.0.0', port: 5684 },
      { role: 'bootstrap', address: '0.0.0.0', port: 5784 }
    ]
  })
  const finished = (endpoint: string, config: string, outcome: 'success' | 'failed' = 'success') =>
    events.emit('bootstrap.progress', { change: 'finished', run: { endpoint, outcome, config: { endpoint: config, matched: 'endpoint' } } as unknown as BootstrapRunDto })
  // A key of its own: the one in pki is taken by rpk-dev in this store already.
  const rpk = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' }))
  const spki = Buffer.from(rpk).toString('hex')
  const base: BootstrapConfig = { endpoint: 'ev-dev', discoverFirst: true, deletePaths: [], security: [], servers: [], contentFormat: 'auto', allowPack: false }

  it('an RPK server account (mode 1) and a rotated PSK Bootstrap-Server account (BS-01) land under their roles', () => {
    configs.set('ev-dev', {
      ...base,
      security: [{ instanceId: 1, uri: 'coaps://localhost:5684', bootstrapServer: false, securityMode: 1, publicKeyOrIdentity: spki, identityEncoding: 'hex', secretKey: '00', shortServerId: 1 }],
      rotateBootstrapAccount: { uri: 'coaps://127.0.0.1:5784', securityMode: 0, publicKeyOrIdentity: 'ev-bs', identityEncoding: 'text', secretKey: KEY, secretKeyEncoding: 'hex' }
    })
    finished('ev-dev', 'ev-dev')
    expect(service.rpkEndpoint('server', rpk)).toBe('ev-dev')
    expect(service.psk('bootstrap', enc('ev-bs'))?.endpoint).toBe('ev-dev')
    expect(service.list({ endpoint: 'ev-dev' }).credentials.map((c) => [c.role, c.mode, c.source])).toEqual([['bootstrap', 'psk', 'bootstrap'], ['server', 'rpk', 'bootstrap']])
  })
  it('the default configuration ("*") gives the credential to the endpoint that ran it; a failed run gives nothing', () => {
    configs.set('*', { ...base, endpoint: '*', security: [{ instanceId: 1, uri: 'coaps://127.0.0.1:5684', bootstrapServer: false, securityMode: 0, publicKeyOrIdentity: '6576322d6964', identityEncoding: 'hex', secretKey: KEY, shortServerId: 1 }] })
    finished('ev-2', '*', 'failed')
    expect(service.list({ endpoint: 'ev-2' }).credentials).toEqual([])
    finished('ev-2', '*')
    expect(service.endpointFor('server', enc('ev2-id'))).toBe('ev-2')
  })
  it('a server account pointing at our Bootstrap-Server port is not taken as a server credential', () => {
    configs.set('ev-3', { ...base, endpoint: 'ev-3', security: [{ instanceId: 1, uri: 'coaps://127.0.0.1:5784', bootstrapServer: false, securityMode: 0, publicKeyOrIdentity: 'ev-3', identityEncoding: 'text', secretKey: KEY, shortServerId: 1 }] })
    finished('ev-3', 'ev-3')
    expect(service.list({ endpoint: 'ev-3' }).credentials).toEqual([])
  })
})
