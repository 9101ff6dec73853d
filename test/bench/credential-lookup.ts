// SPDX-License-Identifier: Apache-2.0
// `npm run bench -- credential-lookup`: what a DTLS listener pays per ClientHello to find the PSK
// for an identity (issue 15 item 3: O(1) in memory, never SQLite per handshake). 20 000 PSK
// credentials in a real store; three ways to answer measured in the same run, back to back:
// SecurityService.psk (the identity's bytes to a key string + map probe), the floor (a bare
// Map.get on a string key computed beforehand) and an indexed SQLite SELECT plus opening the sealed key (what a store
// consulted per ClientHello would cost).
import { SecretBox } from '../../src-main/services/secret-box'
import { EventHub } from '../../src-main/services/event-hub'
import { SecurityService } from '../../src-main/services/security-service'
import { CredentialStore } from '../../src-main/store/credential-store'
import { openDatabase } from '../../src-main/store/database'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { paired } from './paired'

const N = 20_000
const dir = mkdtempSync(join(tmpdir(), 'lwm2m-bench-cred-'))
const database = openDatabase(dir)
const box = SecretBox.forDataDir(dir)
const store = new CredentialStore(database.db, box)
const enc = new TextEncoder()
const key = '000102030405060708090a0b0c0d0e0f'
const t0 = performance.now()
database.db.exec('BEGIN')
for (let i = 0; i < N; i++) {
  const identity = Buffer.from(`device-${i}`).toString('hex')
  database.db
    .prepare('INSERT INTO security_credentials (endpoint, role, mode, identity_hex, sealed, source, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(`device-${i}`, 'server', 'psk', identity, box.seal(JSON.stringify({ identity, key })), 'user', new Date().toISOString())
}
database.db.exec('COMMIT')
const t1 = performance.now()
const service = new SecurityService({ store, events: new EventHub(), bootstrapConfig: () => undefined, ownListeners: () => [] })
const t2 = performance.now()

const identities = Array.from({ length: 1024 }, (_, i) => enc.encode(`device-${(i * 7919) % N}`))
const floorMap = new Map(Array.from({ length: N }, (_, i) => [`device-${i}`, { endpoint: `device-${i}` }]))
const floorKeys = identities.map((b) => new TextDecoder().decode(b))
const select = database.db.prepare('SELECT endpoint, sealed FROM security_credentials WHERE role = ? AND identity_hex = ?')
let k = 0
const ours = () => service.psk('server', identities[k++ & 1023] as Uint8Array)
const floor = () => floorMap.get(floorKeys[k++ & 1023] as string)
const sqlite = () => {
  const row = select.get('server', Buffer.from(identities[k++ & 1023] as Uint8Array).toString('hex')) as { sealed: string }
  return box.open(row.sealed)
}
if (!ours() || !floor() || !sqlite()) throw new Error('a look-up missed')

const a = paired(ours, floor, 15, 40, 50)
const b = paired(ours, sqlite, 15, 40, 20)
const f = (n: number) => Math.round(n).toLocaleString('en')
console.log(`${N} PSK credentials: stored in ${f(t1 - t0)} ms, opened into memory at start in ${f(t2 - t1)} ms`)
console.log(`SecurityService.psk   ${f(a.a)} look-ups/s — ${a.ratio.toFixed(2)} × a bare Map.get whose key string is ready (${f(a.b)}/s)`)
console.log(`SQLite SELECT + unseal ${f(b.b)} look-ups/s — SecurityService.psk is ${b.ratio.toFixed(0)} × that`)
database.close()
rmSync(dir, { recursive: true, force: true })
