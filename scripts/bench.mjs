// `npm run bench -- <name>`: bundles test/bench/<name>.bench.ts for Node and runs it. Benchmarks
// print ratios against a baseline measured in the same run; they are not tests and never gate CI.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..')
const dir = join(root, 'test', 'bench')
const available = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace(/\.bench\.ts$/, '')) : []
const [name, ...rest] = process.argv.slice(2)
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name> [args]; available: ${available.join(', ') || '(none yet)'}`)
  process.exit(2)
}
const outDir = join(root, 'out', 'bench')
mkdirSync(outDir, { recursive: true })
const outFile = join(outDir, `${name}.mjs`)
const b = spawnSync(
  process.execPath,
  [join(root, 'node_modules', 'rolldown', 'bin', 'cli.mjs'), join(dir, `${name}.bench.ts`), '--platform', 'node', '--format', 'esm', '--file', outFile, '--external', '/^[a-z@][^:]*$/'],
  { stdio: ['ignore', 'ignore', 'inherit'], cwd: root }
)
if (b.status !== 0) process.exit(b.status ?? 1)
const r = spawnSync(process.execPath, ['--expose-gc', outFile, ...rest], { stdio: 'inherit', cwd: root })
process.exit(r.status ?? 1)
