// Secrets at rest: sealed values never contain the plaintext, open back intact, and a value sealed
// with another key fails with a reason instead of garbage.
import { describe, expect, it } from 'vitest'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { SecretBox } from '../../src-main/services/secret-box'
import { tempDir } from '../helpers/temp-dir'

describe('SecretBox (AES-256-GCM)', () => {
  it('seals, opens, and keeps its key file private', () => {
    const d = tempDir()
    const box = SecretBox.forDataDir(d.path)
    const sealed = box.seal('{"secretKey":"00112233"}')
    expect(sealed).toMatch(/^enc:v1:/)
    expect(sealed).not.toContain('00112233')
    expect(box.seal('x')).not.toBe(box.seal('x')) // fresh IV each time
    expect(SecretBox.forDataDir(d.path).open(sealed)).toBe('{"secretKey":"00112233"}')
    expect(statSync(join(d.path, 'secrets.key')).mode & 0o777).toBe(0o600)
    d.cleanup()
  })
  it('a value sealed with another key (the keyring) fails with a reason', () => {
    const sealed = SecretBox.withKey(randomBytes(32), 'os-keyring').seal('secret')
    expect(() => SecretBox.withKey(randomBytes(32), 'key-file').open(sealed)).toThrow(/sealed with another key/)
  })
})
