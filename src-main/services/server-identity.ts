// SPDX-License-Identifier: Apache-2.0
// The DTLS listeners' own key for the ECDHE_ECDSA suites (issue 15): a P-256 key made on first
// use and kept sealed in the data dir (dtls-server-key.sealed), so devices that pinned its raw
// public key (/0/x/4 in RPK mode) keep trusting it across restarts. A certificate chain for X.509
// mode comes from files the user gives (serve --dtls-cert/--dtls-key); without one, the listeners
// offer raw public keys only.
import { createPrivateKey, createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { OwnCertificate } from '../core/dtls/connection'
import type { SecretBox } from './secret-box'

export const SERVER_KEY_FILE = 'dtls-server-key.sealed'

function own(privateKeyPem: string, chain?: readonly Uint8Array[]): OwnCertificate {
  const key = createPrivateKey(privateKeyPem)
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error('the DTLS key must be an EC P-256 (secp256r1) key: LwM2M T §5 names that curve')
  return {
    privateKey: new Uint8Array(key.export({ format: 'der', type: 'pkcs8' })),
    publicKey: new Uint8Array(createPublicKey(key).export({ format: 'der', type: 'spki' })),
    ...(chain ? { chain } : {})
  }
}

/** The sealed key of this data dir, made on first use. */
export function serverIdentity(dataDir: string, box: SecretBox): OwnCertificate {
  const file = join(dataDir, SERVER_KEY_FILE)
  if (existsSync(file)) return own(box.open(readFileSync(file, 'utf8')))
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string
  writeFileSync(file, box.seal(pem), { mode: 0o600 })
  return own(pem)
}

/** A certificate chain (PEM, leaf first) and its key (PEM) from files, checked to belong together. */
export function serverCertificateFromFiles(certFile: string, keyFile: string): OwnCertificate {
  const pem = readFileSync(certFile, 'utf8')
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
  if (blocks.length === 0) throw new Error(`${certFile} holds no PEM certificate`)
  const chain = blocks.map((b) => new Uint8Array(new X509Certificate(b).raw))
  const identity = own(readFileSync(keyFile, 'utf8'), chain)
  const leafKey = new X509Certificate(blocks[0] as string).publicKey.export({ format: 'der', type: 'spki' })
  if (Buffer.compare(leafKey, Buffer.from(identity.publicKey)) !== 0) throw new Error(`the key in ${keyFile} does not belong to the certificate in ${certFile}`)
  return identity
}
