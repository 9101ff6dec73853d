// `npm start`: the Electron app where it can run; otherwise the same UI headless in a browser.
// Electron 45 fetches its binary lazily on first use, and that fetch fails on machines without
// internet, so the binary is looked for before anything touches the `electron` package.
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
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

/** The data dir serve will use: --data-dir, else the per-user folder (as src-main/cli/data-dir.ts). */
function dataDir() {
  const i = args.findIndex((a) => a === '--data-dir' || a.startsWith('--data-dir='))
  if (i >= 0) return resolve(args[i].includes('=') ? args[i].slice(args[i].indexOf('=') + 1) : (args[i + 1] ?? '.'))
  if (process.env.LWM2M_WB_DATA_DIR) return resolve(process.env.LWM2M_WB_DATA_DIR)
  const name = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).productName
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), name)
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', name)
  return join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), name)
}

/** A first run: nothing stored yet, so no device has ever registered here. */
function firstRun(dir) {
  try {
    return readdirSync(dir).length === 0
  } catch {
    return true // not created yet
  }
}

buildIfStale({ quiet: true })
const electron = electronBinary()
const newDataDir = firstRun(dataDir())
let child
if (electron.ok) {
  if (newDataDir) console.log('start: first run: the app starts five simulated devices to look at (the Simulator view stops them)')
  child = spawn(electron.bin, [root, ...args], { stdio: 'inherit' })
} else {
  console.log(`start: ${electron.reason}; starting the headless mode instead (open the URL below)`)
  // On a first run a newcomer gets something live to look at (serve --demo, see its --help).
  const demo = newDataDir && !args.some((a) => a === '--demo' || a.startsWith('--demo='))
  if (demo) console.log(`start: first run (${dataDir()} is new): adding --demo 5, five simulated devices to look at (the Simulator view stops them; --demo 0 skips this)`)
  child = spawn(process.execPath, [join(root, 'bin', 'lwm2m-wb.mjs'), 'serve', ...args, ...(demo ? ['--demo', '5'] : [])], { stdio: 'inherit' })
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)))
