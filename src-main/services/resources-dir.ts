// SPDX-License-Identifier: Apache-2.0
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The shipped resources/ folder, found by walking up from this code: it sits two or three levels
 * up whether this runs from src-main/services, out/main or out/main/chunks. Packaged Electron
 * passes its own (process.resourcesPath) instead.
 */
export function findResourcesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'resources', 'models', 'models.json'))) return join(dir, 'resources')
    dir = dirname(dir)
  }
  return join(process.cwd(), 'resources')
}
