// `npm start`: the Electron app where it can run; otherwise the same UI headless in a browser.
// Electron 45 fetches its binary lazily on first use, and that fetch fails on machines without
// internet, so the binary is looked for before anything touches the `electron` package.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildIfStale } from './build-if-stale.mjs'

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..')
const args = process.argv.slice(2)

function electronBinary() {
  const pathTxt = join(root, 'node_modules', 'electron', 'path.txt')
  if (!existsSync(pathTxt)) return { ok: false, reason: 'the Electron binary is not downloaded (node_modules/electron/path.txt is missing)' }
  const bin = join(root, 'node_modules', 'electron', 'dist', readFileSync(pathTxt, 'utf8').trim())
  if (!existsSync(bin)) return { ok: false, reason: `the Electron binary is missing (${bin})` }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return { ok: false, reason: 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)' }
  return { ok: true, bin }
}

buildIfStale({ quiet: true })
const electron = electronBinary()
const child = electron.ok
  ? spawn(electron.bin, [root, ...args], { stdio: 'inherit' })
  : (console.log(`start: ${electron.reason}; starting the headless mode instead (open the URL below)`),
    spawn(process.execPath, [join(root, 'bin', 'lwm2m-wb.mjs'), 'serve', ...args], { stdio: 'inherit' }))
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)))
