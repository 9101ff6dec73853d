// `npm run setup`: everything a fresh Debian machine needs, then `npm ci` and a build.
// Runs on whatever Node the machine has (the project's Node 24 arrives with `npm ci`).
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

/** Debian packages the app and its tests use, each with the reason. */
export const APT_PACKAGES = {
  chromium: 'end-to-end UI tests (driven by playwright-core) and the headless UI',
  'fonts-dejavu-core': 'readable screenshots in headless Chromium',
  'libcoap3-bin': 'coap-client, an independent CoAP peer for interop tests',
  'gnutls-bin': 'gnutls-cli/gnutls-serv, an independent DTLS peer for interop tests',
  openssl: 'openssl s_client/s_server, an independent DTLS peer for interop tests',
  tshark: 'reads and writes the pcap/pcapng files the inspector is tested against',
  socat: 'pty pairs for the serial-line tests',
  udev: "udevadm, which serialport's port list runs",
  pcscd: 'the PC/SC daemon the smart-card reader access goes through',
  'libpcsclite-dev': 'headers the smartcard package builds its N-API addon against',
  'vsmartcard-vpcd': 'a virtual reader driver; the tests put a virtual card behind it',
  'g++': 'node-gyp builds the smartcard addon',
  make: 'node-gyp builds the smartcard addon',
  python3: 'node-gyp builds the smartcard addon',
  nodejs: "Debian's Node headers (/usr/include/node), which .npmrc points node-gyp at (no nodejs.org download here)"
}

const run = (cmd, args, opts = {}) => {
  console.log(`setup: ${cmd} ${args.join(' ')}`)
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts })
  if (r.status !== 0) {
    console.error(`setup: "${cmd} ${args.join(' ')}" failed (exit ${r.status ?? r.signal})`)
    process.exit(r.status ?? 1)
  }
}

function missingPackages() {
  if (!existsSync('/usr/bin/dpkg-query')) return null
  return Object.keys(APT_PACKAGES).filter((p) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' })
    return r.status !== 0 || !r.stdout.includes('install ok installed')
  })
}

const missing = missingPackages()
if (missing === null) {
  console.log(`setup: not a Debian system; install these yourself: ${Object.keys(APT_PACKAGES).join(', ')}`)
} else if (missing.length === 0) {
  console.log('setup: Debian packages already installed')
} else if (process.getuid?.() === 0) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  run('apt-get', ['update', '-qq'], { env })
  run('apt-get', ['install', '-y', '-qq', ...missing], { env })
} else {
  console.log('setup: these Debian packages are missing; run this once, then `npm run setup` again:')
  console.log(`  sudo apt-get install -y ${missing.join(' ')}`)
  process.exit(1)
}

run('npm', ['ci'])
run('npm', ['run', 'build'])
console.log('setup: done. Run "npm test" to check everything, "npm start" to run the app.')
