// SPDX-License-Identifier: Apache-2.0
// Secrets at rest (PSKs, private keys in bootstrap configurations): AES-256-GCM with a key kept in
// <data-dir>/secrets.key (0600). The Electron shell will hand in a key protected by safeStorage
// when the OS has a real keyring; the UI says which protects the data.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const PREFIX = 'enc:v1:'

export class SecretBox {
  private constructor(
    private readonly key: Buffer,
    readonly protection: 'key-file' | 'os-keyring'
  ) {}

  /** A key the caller keeps safe elsewhere (the Electron shell: in the OS keyring via safeStorage). */
  static withKey(key: Buffer, protection: 'key-file' | 'os-keyring'): SecretBox {
    if (key.length !== 32) throw new Error('a SecretBox key is 256 bits')
    return new SecretBox(key, protection)
  }

  /** Loads the data dir's key, creating it (0600) on first use. */
  static forDataDir(dataDir: string): SecretBox {
    const file = join(dataDir, 'secrets.key')
    if (!existsSync(file)) {
      writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' })
      chmodSync(file, 0o600)
    }
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')
    if (key.length !== 32) throw new Error(`${file} does not hold a 256-bit key`)
    return new SecretBox(key, 'key-file')
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12)
    const c = createCipheriv('aes-256-gcm', this.key, iv)
    const body = Buffer.concat([c.update(plaintext, 'utf8'), c.final(), c.getAuthTag()])
    return `${PREFIX}${iv.toString('base64')}:${body.toString('base64')}`
  }

  /** Opens a sealed value; a value stored before encryption (no prefix) is returned as is. */
  open(stored: string): string {
    if (!stored.startsWith(PREFIX)) return stored
    const [ivB64, bodyB64] = stored.slice(PREFIX.length).split(':')
    const iv = Buffer.from(ivB64 ?? '', 'base64')
    const body = Buffer.from(bodyB64 ?? '', 'base64')
    try {
      const d = createDecipheriv('aes-256-gcm', this.key, iv)
      d.setAuthTag(body.subarray(body.length - 16))
      return Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]).toString('utf8')
    } catch {
      throw new Error(
        'a stored secret was sealed with another key (the desktop app keeps its key in the OS keyring, which lwm2m-wb serve cannot read)'
      )
    }
  }
}
