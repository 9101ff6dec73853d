// SPDX-License-Identifier: Apache-2.0
// Regenerates resources/models/models.json from the OMA registry DDF files (latest and
// version_history). Run with the project's Node 24, which strips types itself:
//   npm run models:generate   (= node scripts/generate-models.ts test/fixtures/lwm2m-registry)
// The registry's DDF files are kept in test/fixtures/lwm2m-registry (also the tests' data).
// core/ imports its siblings without extensions (bundler resolution); the resolve hook below
// retries such relative imports with ".ts" so Node can load core/ unbundled.
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { registerHooks } from 'node:module'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context)
    } catch (e) {
      const relative = /^\.\.?\//.test(specifier)
      if (relative && !specifier.endsWith('.ts')) return next(specifier + '.ts', context)
      throw e
    }
  }
})

const here = dirname(fileURLToPath(import.meta.url))
const { parseDdf } = await import('../src-main/core/lwm2m/model/ddf.ts')
const { compareVersions } = await import('../src-main/core/lwm2m/model/model-registry.ts')

const registryArg = process.argv[2] ?? process.env['LWM2M_REGISTRY']
if (!registryArg) {
  console.error('usage: npx node scripts/generate-models.ts <lwm2m-registry-dir> [out-file]')
  process.exit(2)
}
const registry = resolve(registryArg)
const out = resolve(process.argv[3] ?? join(here, '..', 'resources', 'models', 'models.json'))

// Object files are "<id>.xml" (latest) and "<id>-<major>_<minor>.xml" (history); the registry's
// other XML files (DDF.xml index, Common.xml reusable resources, units) define no object.
const OBJECT_FILE = /^[0-9]+(-[0-9]+_[0-9]+)?\.xml$/
const files = [
  ...readdirSync(registry).map((f) => join(registry, f)),
  ...readdirSync(join(registry, 'version_history')).map((f) => join(registry, 'version_history', f))
].filter((f) => OBJECT_FILE.test(basename(f)))

const byKey = new Map<string, { model: unknown; json: string; file: string }>()
let failed = 0
for (const file of files) {
  const r = parseDdf(readFileSync(file, 'utf8'))
  for (const e of r.errors) console.error(`${file}: error: ${e}`)
  for (const w of r.warnings) console.error(`${file}: warning: ${w}`)
  if (r.errors.length > 0) failed++
  for (const m of r.models) {
    const key = `${m.id}@${m.version}`
    const json = JSON.stringify(m)
    const seen = byKey.get(key)
    // The latest file and its version_history copy must agree; say so when they do not.
    if (seen && seen.json !== json) {
      console.error(`${file}: differs from ${seen.file} for ${key}; keeping the first`)
    }
    if (!seen) byKey.set(key, { model: m, json, file })
  }
}
const sorted = [...byKey.values()].map((v) => v.model as { id: number; version: string })
sorted.sort((a, b) => a.id - b.id || compareVersions(a.version, b.version))
mkdirSync(dirname(out), { recursive: true })
// One model per line: compact, yet a registry update shows as a readable diff.
writeFileSync(out, '[\n' + sorted.map((m) => JSON.stringify(m)).join(',\n') + '\n]\n')
console.log(`${files.length} files, ${sorted.length} object versions -> ${out}`)
if (failed > 0) {
  console.error(`${failed} file(s) failed to import`)
  process.exitCode = 1
}
