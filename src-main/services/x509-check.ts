// SPDX-License-Identifier: Apache-2.0
// Certificates read with node:crypto (core stays pure): what the credential list shows about them,
// and the check of a device's chain against its X.509 credential — a pinned certificate or trust
// anchors, dates, and the name (RFC 7925 §4.4.2: the client certificate's CN names the endpoint;
// facts §3.10: CN SHOULD equal ep).
import { X509Certificate, createHash } from 'node:crypto'

export interface CertificateInfo {
  readonly cn: string | null
  readonly subject: string
  readonly issuer: string
  readonly validFrom: string
  readonly validTo: string
  readonly sha256: string
  readonly selfSigned: boolean
}

export function certificateInfo(der: Uint8Array): CertificateInfo | null {
  const c = parse(der)
  if (!c) return null
  return {
    cn: commonName(c),
    subject: oneLine(c.subject),
    issuer: oneLine(c.issuer),
    validFrom: new Date(c.validFrom).toISOString(),
    validTo: new Date(c.validTo).toISOString(),
    sha256: c.fingerprint256,
    selfSigned: c.subject === c.issuer && safe(() => c.verify(c.publicKey))
  }
}

/** "SHA-256 ab:cd:…" of a SubjectPublicKeyInfo, and its key type, for showing an RPK. */
export function spkiSummary(spki: Uint8Array): { fingerprint: string; type: string } {
  const h = createHash('sha256').update(spki).digest('hex')
  const fingerprint = (h.match(/../g) as string[]).join(':').slice(0, 47) + '…'
  return { fingerprint, type: spki.length === 91 ? 'EC P-256 public key' : `public key (${spki.length} bytes)` }
}

export type ChainVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly cause: 'cert_untrusted' | 'malformed'; readonly message: string; readonly evidence: Record<string, unknown> }

/**
 * Does the chain (leaf first) end at a trust anchor, or is its leaf the pinned certificate, and is
 * every certificate valid at `now`?
 */
export function verifyChain(chain: readonly Uint8Array[], pinned: Uint8Array | null, anchors: readonly Uint8Array[], now: Date): ChainVerdict {
  const certs = chain.map(parse)
  const summary = certs.map((c, i) => (c ? { subject: oneLine(c.subject), issuer: oneLine(c.issuer), validTo: new Date(c.validTo).toISOString() } : { unreadable: i }))
  if (certs.length === 0 || certs.some((c) => c === null))
    return { ok: false, cause: 'malformed', message: 'the device sent a certificate that cannot be read', evidence: { chain: summary } }
  const cs = certs as X509Certificate[]
  for (const c of cs) {
    if (now < new Date(c.validFrom) || now > new Date(c.validTo))
      return { ok: false, cause: 'cert_untrusted', message: `certificate "${oneLine(c.subject)}" is not valid now (valid ${new Date(c.validFrom).toISOString()} to ${new Date(c.validTo).toISOString()})`, evidence: { chain: summary } }
  }
  const leaf = cs[0] as X509Certificate
  if (pinned) {
    if (Buffer.from(leaf.raw).equals(Buffer.from(pinned))) return { ok: true }
    return { ok: false, cause: 'cert_untrusted', message: `the device's certificate "${oneLine(leaf.subject)}" is not the one stored for it`, evidence: { chain: summary } }
  }
  for (let i = 0; i + 1 < cs.length; i++) {
    const [c, up] = [cs[i] as X509Certificate, cs[i + 1] as X509Certificate]
    if (!c.checkIssued(up) || !safe(() => c.verify(up.publicKey)))
      return { ok: false, cause: 'cert_untrusted', message: `certificate "${oneLine(c.subject)}" was not signed by the next one in the chain ("${oneLine(up.subject)}")`, evidence: { chain: summary } }
  }
  const top = cs[cs.length - 1] as X509Certificate
  const trusted = anchors.map(parse).filter((a): a is X509Certificate => a !== null)
  for (const a of trusted) {
    if (Buffer.from(a.raw).equals(Buffer.from(top.raw))) return { ok: true }
    if (top.checkIssued(a) && safe(() => top.verify(a.publicKey))) return { ok: true }
  }
  return {
    ok: false,
    cause: 'cert_untrusted',
    message: `the chain ends at "${oneLine(top.issuer)}", which is none of the trust anchors stored for this device`,
    evidence: { chain: summary, anchors: trusted.map((a) => oneLine(a.subject)) }
  }
}

export function leafCommonName(der: Uint8Array): string | null {
  const c = parse(der)
  return c ? commonName(c) : null
}

function parse(der: Uint8Array): X509Certificate | null {
  try {
    return new X509Certificate(der)
  } catch {
    return null
  }
}

function commonName(c: X509Certificate): string | null {
  for (const line of c.subject.split('\n')) if (line.startsWith('CN=')) return line.slice(3)
  return null
}

function oneLine(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ')
}

function safe(f: () => boolean): boolean {
  try {
    return f()
  } catch {
    return false
  }
}

export interface ServerTrust {
  /** /0/x/4: the server certificate, or a CA / trust anchor, as `certificateUsage` says. */
  readonly serverCertificate: Uint8Array
  /** /0/x/15 (RFC 6698): 0 CA constraint, 1 service certificate constraint, 2 trust anchor assertion, 3 domain-issued. */
  readonly certificateUsage: 0 | 1 | 2 | 3
  /** /0/x/13: /0/x/4 holds the certificate itself (0) or its SHA-256 (1), SHA-384 (2), SHA-512 (3). */
  readonly matchingType: 0 | 1 | 2 | 3
  /** SNI /0/x/14, else the URI's DNS host; null for an IP literal without SNI. */
  readonly referenceIdentity: string | null
  /** The URI's host (an IP literal is checked against the certificate's IP addresses). */
  readonly host: string
}

export type ServerVerdict =
  | { readonly ok: true; readonly matched: 'certificate' | 'anchor' | 'ca' }
  | { readonly ok: false; readonly cause: 'cert_untrusted' | 'name_mismatch' | 'malformed'; readonly message: string; readonly evidence: Record<string, unknown> }

/**
 * The simulator as DTLS client: is the server's chain (leaf first) the one its Security instance
 * names? Certificate Usage and Matching Type (facts §3.10, RFC 6698 semantics): 3 domain-issued
 * and 1 service certificate: the leaf is /0/x/4; 2 trust anchor: the chain ends at /0/x/4; 0 CA
 * constraint: /0/x/4 is one of the chain's CAs. The name check (RFC 6125 via RFC 7925 §4.4.1)
 * applies unless the leaf is /0/x/4 under usage 3.
 */
export function verifyServerCertificate(chain: readonly Uint8Array[], t: ServerTrust, now: Date): ServerVerdict {
  const certs = chain.map(parse)
  const summary = certs.map((c, i) => (c ? { subject: oneLine(c.subject), issuer: oneLine(c.issuer), validTo: new Date(c.validTo).toISOString() } : { unreadable: i }))
  if (certs.length === 0 || certs.some((c) => c === null)) return { ok: false, cause: 'malformed', message: 'the server sent a certificate that cannot be read', evidence: { chain: summary } }
  const cs = certs as X509Certificate[]
  const fail = (cause: 'cert_untrusted' | 'name_mismatch', message: string): ServerVerdict => ({ ok: false, cause, message, evidence: { chain: summary, certificateUsage: t.certificateUsage, matchingType: t.matchingType, referenceIdentity: t.referenceIdentity } })
  for (const c of cs)
    if (now < new Date(c.validFrom) || now > new Date(c.validTo)) return fail('cert_untrusted', `the server certificate "${oneLine(c.subject)}" is not valid now (valid ${new Date(c.validFrom).toISOString()} to ${new Date(c.validTo).toISOString()})`)
  for (let i = 0; i + 1 < cs.length; i++) {
    const [c, up] = [cs[i] as X509Certificate, cs[i + 1] as X509Certificate]
    if (!c.checkIssued(up) || !safe(() => c.verify(up.publicKey))) return fail('cert_untrusted', `"${oneLine(c.subject)}" was not signed by the next certificate in the server's chain`)
  }
  const matches = (c: X509Certificate) => Buffer.from(t.matchingType === 0 ? c.raw : createHash(['', 'sha256', 'sha384', 'sha512'][t.matchingType] as string).update(c.raw).digest()).equals(Buffer.from(t.serverCertificate))
  const leaf = cs[0] as X509Certificate
  let matched: 'certificate' | 'anchor' | 'ca'
  if (t.certificateUsage === 3 || t.certificateUsage === 1) {
    if (!matches(leaf)) return fail('cert_untrusted', `the server's certificate "${oneLine(leaf.subject)}" is not the one in /0/x/4 (Certificate Usage ${t.certificateUsage}, Matching Type ${t.matchingType})`)
    // Usage 3 pins the certificate itself: no name check (facts §3.10).
    if (t.certificateUsage === 3) return { ok: true, matched: 'certificate' }
    matched = 'certificate'
  } else if (t.certificateUsage === 2) {
    const top = cs[cs.length - 1] as X509Certificate
    const anchor = t.matchingType === 0 ? parse(t.serverCertificate) : null
    const ok = matches(top) || (anchor !== null && top.checkIssued(anchor) && safe(() => top.verify(anchor.publicKey)))
    if (!ok) return fail('cert_untrusted', `the server's chain does not end at the trust anchor in /0/x/4 (it ends at "${oneLine(top.issuer)}")`)
    matched = 'anchor'
  } else {
    if (!cs.slice(1).some(matches)) return fail('cert_untrusted', "none of the CA certificates in the server's chain is the one in /0/x/4 (Certificate Usage 0, CA constraint)")
    matched = 'ca'
  }
  const name = t.referenceIdentity
  const named = name !== null ? leaf.checkHost(name) !== undefined : /^[0-9.]+$|:/.test(t.host) && leaf.checkIP(t.host) !== undefined
  if (!named)
    return fail('name_mismatch', `the server certificate "${oneLine(leaf.subject)}" does not name ${name ?? t.host}${name === null ? ' (an IP address without SNI: set /0/x/14)' : ''}`)
  return { ok: true, matched }
}
