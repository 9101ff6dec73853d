// Builds out/ with electron-vite when any input is newer than the last build, so that `npm test`
// and `lwm2m-wb` never run an old bundle.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..')
const stamp = join(root, 'out', '.build-stamp')
const inputs = ['src-main', 'src-renderer', 'resources', 'electron.vite.config.ts', 'package.json', 'package-lock.json']

function newest(path) {
  if (!existsSync(path)) return 0
  const st = statSync(path)
  if (!st.isDirectory()) return st.mtimeMs
  let m = st.mtimeMs
  for (const e of readdirSync(path)) m = Math.max(m, newest(join(path, e)))
  return m
}

export function isStale() {
  if (!existsSync(stamp)) return true
  const built = statSync(stamp).mtimeMs
  return inputs.some((i) => newest(join(root, i)) > built)
}

export function buildIfStale({ quiet = false, force = false } = {}) {
  if (!force && !isStale()) {
    if (!quiet) console.log('build: out/ is up to date')
    return
  }
  const started = Date.now()
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
    cwd: root,
    stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit'
  })
  if (r.status !== 0) {
    console.error('build: electron-vite build failed')
    process.exit(r.status ?? 1)
  }
  writeFileSync(stamp, new Date().toISOString() + '\n')
  if (!quiet) console.log(`build: done in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  buildIfStale({ force: process.argv.includes('--force') })
