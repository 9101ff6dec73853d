#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// Entry of the `lwm2m-wb` command. The app needs Node 24 (the Node inside Electron 45, with
// node:sqlite); when an older Node starts this file, it re-runs itself under the project's own
// Node 24 from the npm `node` package.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const major = Number(process.versions.node.split('.')[0])

if (major < 24) {
  const node24 = join(root, 'node_modules', 'node', 'bin', process.platform === 'win32' ? 'node.exe' : 'node')
  if (!existsSync(node24)) {
    process.stderr.write(`lwm2m-wb: needs Node 24 (this is ${process.version}); run "npm ci" in ${root} first\n`)
    process.exit(1)
  }
  const child = spawn(node24, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' })
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)))
} else {
  const cli = join(root, 'out', 'main', 'cli.js')
  if (!existsSync(cli)) {
    process.stderr.write('lwm2m-wb: the app is not built yet; run "npm run build" (or "npm run setup")\n')
    process.exit(1)
  }
  const { main } = await import(pathToFileURL(cli).href)
  await main()
}
