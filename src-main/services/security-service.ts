// SPDX-License-Identifier: Apache-2.0
// security.*: DTLS credentials per (endpoint, role) and the record of handshakes (issue 15 items
// 3 and 6). The credentials live sealed in the store and, opened, in memory: the DTLS listeners
// look them up by (role, identity) per ClientHello, so a handshake flood never touches SQLite.
// Handshake records are buffered and written in batches for the same reason.
import { type BootstrapConfig, type SecurityAccount } from '../core/lwm2m/bootstrap/config'
import { securityBytes } from '../core/lwm2m/bootstrap/config'
import { toHex } from '../core/bytes'
import { certificatesEntry, identityText, maskedSecret, pskKeyEntry, rpkEntry } from '../core/credential-entry'
import { pskIdentity } from '../core/psk-entry'
import { ServiceError } from '../contract/errors'
import type { Infer } from '../contract/schema'
import type { BootstrapRunDto } from '../contract/bootstrap'
import type { CREDENTIAL_INPUT_SCHEMA, CredentialDto, CredentialReview, HandshakeDto, HandshakesPage, SecurityMode, SecurityRole } from '../contract/security'
import type { CredentialMaterial, CredentialStore, StoredCredential } from '../store/credential-store'
import type { CredentialLookup, HandshakeRecordInput, PeerCertificateCheck, PskCredential } from './credential-lookup'
import type { EventHub } from './event-hub'
import { ownServerRole, type OwnListener } from './own-server'
import { certificateInfo, leafCommonName, spkiSummary, verifyChain } from './x509-check'

export type CredentialInput = Infer<typeof CREDENTIAL_INPUT_SCHEMA>

/** Handshake records kept (the oldest go first). */
export const HANDSHAKES_KEPT = 10_000
/** Records waiting for the next write; beyond this a flood's records are counted, not kept. */
const BUFFER_MAX = 1_000
const FLUSH_MS = 200
const EVIDENCE_MAX_CHARS = 16_384

interface Entry {
  readonly stored: StoredCredential
  readonly identity: Uint8Array
  readonly psk: PskCredential | null
  readonly certificate: Uint8Array | null
  readonly trust: readonly Uint8Array[]
}

export interface SecurityServiceOptions {
  readonly store: CredentialStore
  readonly events: EventHub
  /** The bootstrap configuration a run used, by its name ("*" for the default). */
  readonly bootstrapConfig: (name: string) => BootstrapConfig | undefined
  /** This tool's DTLS listeners: Security URIs pointing at them are "our own server". */
  readonly ownListeners: () => readonly OwnListener[]
  readonly now?: () => Date
}

const key = (role: string, x: string) => `${role}\n${x}`
const fromHex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'))
/**
 * The in-memory index key of identity bytes, one char per byte: measured faster than hex and than
 * Buffer's latin1 (a native call) for identities of a few dozen bytes. Identities are ≤ 128 bytes
 * for PSK; an SPKI or a CN is a few hundred at most, well within apply()'s argument limit.
 */
const idKey = (role: string, identity: Uint8Array) => key(role, String.fromCharCode.apply(null, identity as unknown as number[]))

export class SecurityService implements CredentialLookup {
  /** (role, identity bytes as latin1) → entry */
  readonly #byIdentity = new Map<string, Entry>()
  /** (role, endpoint) → entry */
  readonly #byEndpoint = new Map<string, Entry>()
  #buffer: Omit<HandshakeDto, 'seq'>[] = []
  #dropped = 0
  #timer: NodeJS.Timeout | null = null
  #ownListeners: () => readonly OwnListener[]
  /** Credentials in the store that could not be opened (said in security.list, never fatal). */
  #unreadable: string[] = []
  #closed = false
  readonly #now: () => Date
  readonly #unsubscribe: () => void

  constructor(private readonly o: SecurityServiceOptions) {
    this.#now = o.now ?? (() => new Date())
    this.#ownListeners = o.ownListeners
    const { credentials, unreadable } = o.store.all()
    for (const c of credentials) this.#index(c)
    this.#unreadable = unreadable.map((u) => `${u.endpoint} (${u.role}): ${u.reason}`)
    this.#unsubscribe = o.events.subscribe((name, payload) => {
      if (name === 'bootstrap.progress') {
        const p = payload as { run: BootstrapRunDto; change: string }
        if (p.change === 'finished' && p.run.outcome === 'success') this.#fromBootstrapRun(p.run)
      }
    })
  }

  /** Replaces where the DTLS listeners come from (the workbench sets it; a shell with other listeners may too). */
  setOwnListeners(source: () => readonly OwnListener[]): void {
    this.#ownListeners = source
  }

  // ---- CredentialLookup (the DTLS listeners and the simulator) ----

  psk(role: SecurityRole, identity: Uint8Array): PskCredential | null {
    return this.#byIdentity.get(idKey(role, identity))?.psk ?? null
  }

  endpointFor(role: SecurityRole, identity: Uint8Array): string | null {
    return this.#byIdentity.get(idKey(role, identity))?.stored.endpoint ?? null
  }

  rpkEndpoint(role: SecurityRole, spki: Uint8Array): string | null {
    const e = this.#byIdentity.get(idKey(role, spki))
    return e?.stored.mode === 'rpk' ? e.stored.endpoint : null
  }

  verifyPeerCertificate(role: SecurityRole, chain: readonly Uint8Array[], now: Date): PeerCertificateCheck {
    const leaf = chain[0]
    const cn = leaf ? leafCommonName(leaf) : null
    if (!leaf || cn === null) return { ok: false, cause: 'malformed', message: 'the device sent no readable certificate with a CN', evidence: { certificates: chain.length } }
    const e = this.#byIdentity.get(idKey(role, new TextEncoder().encode(cn)))
    if (!e || e.stored.mode !== 'x509') {
      // The name may be the only thing wrong: is this very certificate pinned for another name?
      const pinnedFor = [...this.#byEndpoint.values()].find((x) => x.stored.role === role && x.certificate && Buffer.from(x.certificate).equals(Buffer.from(leaf)))
      if (pinnedFor)
        return {
          ok: false,
          cause: 'name_mismatch',
          message: `the certificate's CN is "${cn}", but it is stored for ${pinnedFor.stored.endpoint}, which expects CN "${identityText(pinnedFor.identity)}"`,
          evidence: { cn, expected: identityText(pinnedFor.identity), endpoint: pinnedFor.stored.endpoint }
        }
      return { ok: false, cause: 'cert_untrusted', message: `no X.509 credential expects a certificate with CN "${cn}" at the ${role} listener`, evidence: { cn } }
    }
    const v = verifyChain(chain, e.certificate, e.trust, now)
    if (!v.ok) return { ok: false, cause: v.cause, message: `${e.stored.endpoint}: ${v.message}`, evidence: { cn, ...v.evidence } }
    return { ok: true, endpoint: e.stored.endpoint, cn }
  }

  recordHandshake(rec: HandshakeRecordInput): void {
    if (this.#closed) return
    if (this.#buffer.length >= BUFFER_MAX) {
      this.#dropped++
      return
    }
    // The DTLS layer may not know the endpoint yet (a wrong key fails before any binding); the
    // identity names it, so the device page finds the record under the device.
    const endpoint = rec.endpoint ?? (rec.identity !== null ? this.endpointFor(rec.role, identityBytes(rec.identity)) : null)
    this.#buffer.push(toDto(endpoint === rec.endpoint ? rec : { ...rec, endpoint }, this.#now()))
    this.#timer ??= setTimeout(() => {
      try {
        this.flush()
      } catch {
        // A store that cannot take the batch (disk full, closed) loses these records, never the process.
      }
    }, FLUSH_MS)
  }

  /** Writes waiting handshake records and tells the UI (one event per batch). */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    const batch = this.#buffer
    const dropped = this.#dropped
    this.#buffer = []
    this.#dropped = 0
    if (batch.length === 0 || this.#closed) return
    const seqs = this.o.store.appendHandshakes(
      batch.map((h) => ({ at: h.at, role: h.role, direction: h.direction, peer: h.peer, identity: h.identity, endpoint: h.endpoint, outcome: h.outcome, cause: h.cause, record: recordOf(h) })),
      HANDSHAKES_KEPT
    )
    this.o.events.emit('security.handshake', { handshakes: batch.map((h, i) => ({ seq: seqs[i] as number, ...h })), dropped })
  }

  // ---- contract methods ----

  check(input: CredentialInput): CredentialReview {
    const r = this.#read(input)
    return { problems: r.problems, warnings: r.warnings, fields: r.fields }
  }

  put(input: CredentialInput, source: 'user' | 'bootstrap' = 'user'): CredentialDto {
    const r = this.#read(input)
    if (!r.material || r.problems.length > 0)
      throw new ServiceError('security.invalid_credential', `the credential for "${input.endpoint}" cannot be used: ${r.problems.join('; ')}`, { problems: r.problems, fields: r.fields })
    const stored: StoredCredential = { endpoint: input.endpoint, role: input.role ?? 'server', mode: input.mode, material: r.material, source, updatedAt: this.#now().toISOString() }
    const saved = this.o.store.put(stored)
    if (!saved.ok) {
      const what = input.mode === 'psk' ? 'PSK identity' : input.mode === 'rpk' ? 'public key' : 'certificate CN'
      throw new ServiceError('security.identity_taken', `this ${what} belongs to ${saved.takenBy} already (${stored.role} role): a device's identity must name one endpoint`, {
        takenBy: saved.takenBy,
        fields: { identity: `belongs to ${saved.takenBy} already` }
      })
    }
    this.#unindex(stored.role, stored.endpoint)
    const e = this.#index(stored)
    this.o.events.emit('security.changed', { endpoint: stored.endpoint, role: stored.role, change: 'put', source })
    return dto(e)
  }

  /** A window of the credentials sorted by endpoint then role; `filter` matches endpoint or identity text. */
  list(q: { endpoint?: string | undefined; filter?: string | undefined; cursor?: number | undefined; limit?: number | undefined } = {}): { credentials: CredentialDto[]; total: number; unreadable: string[] } {
    const needle = q.filter?.trim().toLowerCase() ?? ''
    const all = [...this.#byEndpoint.values()].filter(
      (e) => (q.endpoint === undefined || e.stored.endpoint === q.endpoint) && (needle === '' || e.stored.endpoint.toLowerCase().includes(needle) || identityText(e.identity).toLowerCase().includes(needle))
    )
    all.sort((a, b) => (a.stored.endpoint === b.stored.endpoint ? a.stored.role.localeCompare(b.stored.role) : a.stored.endpoint < b.stored.endpoint ? -1 : 1))
    const from = q.cursor ?? 0
    return { credentials: all.slice(from, from + (q.limit ?? 1000)).map(dto), total: all.length, unreadable: [...this.#unreadable] }
  }

  delete(endpoint: string, role: SecurityRole = 'server'): { deleted: boolean } {
    const deleted = this.o.store.delete(endpoint, role)
    this.#unindex(role, endpoint)
    if (deleted) this.o.events.emit('security.changed', { endpoint, role, change: 'deleted', source: 'user' })
    return { deleted }
  }

  handshakes(q: { endpoint?: string | undefined; cursor?: number | undefined; limit?: number | undefined; outcome?: 'ok' | 'failed' | undefined }): HandshakesPage {
    this.flush()
    const limit = q.limit ?? 100
    const rows = this.o.store.handshakes({ endpoint: q.endpoint, outcome: q.outcome, before: q.cursor, limit })
    const handshakes = rows.map((r) => ({ seq: r.seq, at: r.at, role: r.role, direction: r.direction, peer: r.peer, identity: r.identity, endpoint: r.endpoint, outcome: r.outcome, cause: r.cause, ...r.record }) as HandshakeDto)
    return { handshakes, nextCursor: rows.length === limit ? (rows[rows.length - 1]?.seq ?? null) : null }
  }

  close(): void {
    this.flush()
    this.#closed = true
    this.#unsubscribe()
  }

  // ---- inside ----

  /** Reads the input per mode into the sealed material, with problems per field in plain words. */
  #read(input: CredentialInput): { material: CredentialMaterial | null; problems: string[]; warnings: string[]; fields: Record<string, string> } {
    const fields: Record<string, string> = {}
    const warnings: string[] = []
    const problem = (field: string, text: string) => {
      fields[field] ??= text
    }
    const keyEncoding = input.keyEncoding ?? 'hex'
    let material: CredentialMaterial | null = null
    if (input.mode === 'psk') {
      const id = pskIdentity(input.identity ?? '', input.identityEncoding ?? 'text')
      if (!id.ok) problem('identity', id.problem)
      else if (id.warning) warnings.push(id.warning)
      const k = input.key === undefined || input.key.trim() === '' ? ({ ok: false, problem: 'the PSK key is empty' } as const) : pskKeyEntry(input.key, keyEncoding)
      if (!k.ok) problem('key', k.problem)
      else if (k.warning) warnings.push(k.warning)
      if (input.certificate || input.trust) problem('certificate', 'a PSK credential has no certificates: choose mode x509 for those')
      if (id.ok && k.ok) material = { identity: toHex(id.bytes), key: toHex(k.bytes) }
    } else if (input.mode === 'rpk') {
      const k = rpkEntry(input.key ?? '', keyEncoding)
      if (!k.ok) problem('key', k.problem)
      else {
        if (k.warning) warnings.push(k.warning)
        material = { identity: toHex(k.bytes) }
      }
      if (input.certificate || input.trust) problem('certificate', 'a raw public key credential has no certificates: choose mode x509 for those')
    } else {
      if (input.key && input.key.trim() !== '')
        problem('key', 'an X.509 credential takes no key here: the device keeps its private key; give its certificate, or the CA that issued it under trust')
      let certificate: Uint8Array | null = null
      if (input.certificate && input.certificate.trim() !== '') {
        const c = certificatesEntry(input.certificate, keyEncoding, 'the device certificate')
        if (!c.ok) problem('certificate', c.problem)
        else {
          certificate = c.certs[0] as Uint8Array
          if (c.certs.length > 1) warnings.push('only the first certificate is pinned; the others are ignored (put CA certificates under trust)')
        }
      }
      const trust: Uint8Array[] = []
      if (input.trust && input.trust.trim() !== '') {
        const t = certificatesEntry(input.trust, keyEncoding, 'the trust anchor')
        if (!t.ok) problem('trust', t.problem)
        else trust.push(...t.certs)
      }
      if (!certificate && trust.length === 0 && !fields.certificate && !fields.trust)
        problem('trust', 'an X.509 credential needs the device certificate (pinned) or the CA certificate(s) that issued it')
      const cn = input.identity && input.identity !== '' ? input.identity : input.endpoint
      const certCn = certificate ? certificateInfo(certificate)?.cn ?? null : null
      if (certificate && certCn !== cn)
        problem('identity', certCn === null ? 'the device certificate has no CN to bind the endpoint to' : `the device certificate's CN is "${certCn}", but the credential expects "${cn}" (RFC 7925: the CN names the device)`)
      if (cn !== input.endpoint) warnings.push(`the certificate CN "${cn}" differs from the endpoint; Register must still use "${input.endpoint}"`)
      const now = this.#now()
      for (const c of [...(certificate ? [certificate] : []), ...trust]) {
        const info = certificateInfo(c)
        if (info && (new Date(info.validTo) < now || new Date(info.validFrom) > now)) warnings.push(`"${info.subject}" is not valid now (valid ${info.validFrom} to ${info.validTo})`)
      }
      if (Object.keys(fields).length === 0)
        material = { identity: toHex(new TextEncoder().encode(cn)), ...(certificate ? { certificate: toHex(certificate) } : {}), trust: trust.map(toHex) }
    }
    const problems = Object.values(fields)
    return { material: problems.length === 0 ? material : null, problems, warnings, fields }
  }

  #index(c: StoredCredential): Entry {
    const identity = fromHex(c.material.identity)
    const e: Entry = {
      stored: c,
      identity,
      psk: c.mode === 'psk' && c.material.key !== undefined ? Object.freeze({ endpoint: c.endpoint, identity, key: fromHex(c.material.key) }) : null,
      certificate: c.material.certificate ? fromHex(c.material.certificate) : null,
      trust: (c.material.trust ?? []).map(fromHex)
    }
    this.#byIdentity.set(idKey(c.role, identity), e)
    this.#byEndpoint.set(key(c.role, c.endpoint), e)
    return e
  }

  #unindex(role: SecurityRole, endpoint: string): void {
    const e = this.#byEndpoint.get(key(role, endpoint))
    if (!e) return
    this.#byEndpoint.delete(key(role, endpoint))
    this.#byIdentity.delete(idKey(role, e.identity))
  }

  /** Item 3: credentials a successful bootstrap run gave the device for our own servers go into the store. */
  #fromBootstrapRun(run: BootstrapRunDto): void {
    if (!run.config) return
    const config = this.o.bootstrapConfig(run.config.endpoint)
    if (!config) return
    const listeners = this.#ownListeners()
    const accounts: Omit<SecurityAccount, 'instanceId'>[] = [...config.security]
    if (config.rotateBootstrapAccount) accounts.push({ ...config.rotateBootstrapAccount, bootstrapServer: true })
    for (const s of accounts) {
      const role = ownServerRole(s.uri, listeners)
      if (role === null || role !== (s.bootstrapServer ? 'bootstrap' : 'server')) continue
      const input = inputFromAccount(run.endpoint, role, s)
      if (!input) continue
      try {
        this.put(input, 'bootstrap')
      } catch (e) {
        const reason = e instanceof ServiceError ? e.message : String(e)
        this.o.events.emit('security.changed', { endpoint: run.endpoint, role, change: 'refused', source: 'bootstrap', reason })
      }
    }
  }
}

/** A Security instance (/0/x) as security.put input: modes 0 PSK, 1 RPK, 2 certificate. */
function inputFromAccount(endpoint: string, role: SecurityRole, s: Omit<SecurityAccount, 'instanceId'>): CredentialInput | null {
  const b = securityBytes(s)
  if (s.securityMode === 0) return { endpoint, role, mode: 'psk', identity: toHex(b.identity), identityEncoding: 'hex', key: toHex(b.secret), keyEncoding: 'hex' }
  if (s.securityMode === 1) return { endpoint, role, mode: 'rpk', key: toHex(b.identity), keyEncoding: 'hex' }
  if (s.securityMode === 2) {
    const cn = leafCommonName(b.identity)
    return { endpoint, role, mode: 'x509', identity: cn ?? endpoint, certificate: toHex(b.identity), keyEncoding: 'hex' }
  }
  return null
}

/** identityText's inverse: "0x…" is hex, anything else UTF-8 text. */
function identityBytes(text: string): Uint8Array {
  return /^0x([0-9a-f]{2})+$/i.test(text) ? fromHex(text.slice(2)) : new TextEncoder().encode(text)
}

function dto(e: Entry): CredentialDto {
  const s = e.stored
  const base = { endpoint: s.endpoint, role: s.role, mode: s.mode as SecurityMode, source: s.source, updatedAt: s.updatedAt }
  if (s.mode === 'psk') return { ...base, identity: identityText(e.identity), key: maskedSecret(e.psk?.key.length ?? 0), details: [] }
  if (s.mode === 'rpk') {
    const k = spkiSummary(e.identity)
    return { ...base, identity: `SHA-256 ${k.fingerprint}`, key: k.type, details: [] }
  }
  const details: string[] = []
  const cert = e.certificate ? certificateInfo(e.certificate) : null
  if (cert) details.push(`pinned: ${cert.subject}, valid to ${cert.validTo}`)
  for (const t of e.trust) {
    const info = certificateInfo(t)
    if (info) details.push(`trusts: ${info.subject}, valid to ${info.validTo}`)
  }
  const key = [e.certificate ? 'pinned certificate' : null, e.trust.length ? `${e.trust.length} trust anchor${e.trust.length === 1 ? '' : 's'}` : null].filter(Boolean).join(' + ')
  return { ...base, identity: new TextDecoder().decode(e.identity), key, details }
}

function toDto(rec: HandshakeRecordInput, at: Date): Omit<HandshakeDto, 'seq'> {
  let evidence: Record<string, unknown>
  try {
    const text = JSON.stringify(rec.evidence ?? {}, (_k, v: unknown) => (v instanceof Uint8Array ? toHex(v) : typeof v === 'bigint' ? v.toString() : v))
    evidence = text.length > EVIDENCE_MAX_CHARS ? { truncated: true, text: text.slice(0, EVIDENCE_MAX_CHARS) } : (JSON.parse(text) as Record<string, unknown>)
  } catch {
    evidence = { unreadable: true }
  }
  return {
    at: at.toISOString(),
    role: rec.role,
    direction: rec.direction,
    peer: String(rec.peer).slice(0, 100),
    identity: rec.identity === null ? null : String(rec.identity).slice(0, 300),
    endpoint: rec.endpoint,
    outcome: rec.outcome,
    cause: String(rec.cause).slice(0, 64),
    message: String(rec.message).slice(0, 1000),
    evidence,
    ...(rec.alert ? { alert: { level: rec.alert.level, description: rec.alert.description, name: rec.alert.name, sent: rec.alert.sent } } : {}),
    ...(rec.suite ? { suite: rec.suite } : {}),
    ...(rec.cid ? { cid: { ours: rec.cid.ours, theirs: rec.cid.theirs } } : {})
  }
}

function recordOf(h: Omit<HandshakeDto, 'seq'>): Record<string, unknown> {
  const { message, evidence, alert, suite, cid } = h
  return { message, evidence, ...(alert ? { alert } : {}), ...(suite ? { suite } : {}), ...(cid ? { cid } : {}) }
}
