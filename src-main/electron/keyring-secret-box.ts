// SPDX-License-Identifier: Apache-2.0
// In the desktop app the key that seals secrets at rest is kept encrypted by Electron's safeStorage
// when the OS offers a real keyring (DESIGN.md, Runtime); otherwise the data dir's key file is used
// and the UI says so. Not testable here (no Electron binary): kept small and type-checked.
import { safeStorage } from 'electron'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { SecretBox } from '../services/secret-box'

export function keyringSecretBox(dataDir: string): SecretBox | undefined {
  if (!safeStorage.isEncryptionAvailable()) return undefined
  // Linux without a keyring falls back to a hard-coded password: no better than the key file.
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return undefined
  const file = join(dataDir, 'secrets.key.keyring')
  if (!existsSync(file)) writeFileSync(file, safeStorage.encryptString(randomBytes(32).toString('base64')), { mode: 0o600 })
  const key = Buffer.from(safeStorage.decryptString(readFileSync(file)), 'base64')
  return SecretBox.withKey(key, 'os-keyring')
}
