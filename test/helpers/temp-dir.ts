import { afterEach } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A fresh directory, removed by the returned cleanup. */
export function tempDir(prefix = 'lwm2m-wb-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) }
}

/** A maker of fresh directories for a test file; each test's are removed after it. */
export function tempDirsPerTest(): () => string {
  const dirs: { cleanup: () => void }[] = []
  afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()))
  return () => {
    const d = tempDir()
    dirs.push(d)
    return d.path
  }
}
