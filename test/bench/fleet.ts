// SPDX-License-Identifier: Apache-2.0
// `npm run bench -- fleet [sizes...]`: simulated devices bootstrapping and registering against the
// project's own Bootstrap Server and LwM2M Server, all in this process (issue 14). For each size:
// seconds until every device is registered, registrations per second as a ratio to a raw UDP
// request/response loop measured in the same run (same number of sockets), and resident memory
// per simulated device. The simulated clients share the CPU with the servers, so this measures
// something else than `npm run bench -- server`. Goal: 10 000 devices in under 10 s, < 20 KB each.
// Memory: a fresh process runs the fleet as `lwm2m-wb simulate` does (V8 memory saver mode once
// it has started) with the servers in a child process; 10 s after the last registration its RSS
// is read, then again after three forced GCs; a control process doing the same with no device
// gives what is not the devices'. Per device = (RSS with N devices − RSS of the control) / N.
import { spawn } from 'node:child_process'
import { createSocket, type Socket } from 'node:dgram'
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { coapCodec } from '../../src-main/core/coap/codec'
import { CoapEndpoint } from '../../src-main/core/coap/endpoint'
import { BootstrapServer } from '../../src-main/core/lwm2m/bootstrap/bootstrap-server'
import { readConfig, type BootstrapConfig } from '../../src-main/core/lwm2m/bootstrap/config'
import { coapDeviceLink, serveUplink } from '../../src-main/core/lwm2m/server/coap-binding'
import { Lwm2mServer } from '../../src-main/core/lwm2m/server/lwm2m-server'
import { nodeRandom, nodeScheduler } from '../../src-main/transports/node-runtime'
import { UdpLink } from '../../src-main/transports/udp'
import { loadModelLibrary } from '../../src-main/services/model-library'
import { SimulatedFleet } from '../../src-main/services/simulated-fleet'
import { SimulatorHeapMode } from '../../src-main/services/simulator-heap-mode'
import type { Profile } from '../../src-main/core/lwm2m/client/profile'
import type { ModelLookup } from '../../src-main/core/lwm2m/model'

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})
const settle = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) {
    gc()
    await new Promise((r) => setTimeout(r, 50))
  }
}
const rss = async (): Promise<number> => {
  await settle()
  const m = process.memoryUsage()
  if (process.env.FLEET_MEM) console.error(JSON.stringify({ ...m, ...residentByKind() }))
  return m.rss
}
/**
 * Where the resident set is, from /proc/self/smaps (FLEET_MEM=1): V8's pages are 256 KiB anonymous
 * mappings, glibc's main malloc arena is [heap], its thread arenas and big blocks are the other
 * anonymous mappings, and "file" is the code of node and its libraries.
 */
function residentByKind(): Record<string, number> {
  const out: Record<string, number> = {}
  let kind = ''
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line)
    if (m) {
      const size = parseInt(m[2] as string, 16) - parseInt(m[1] as string, 16)
      const name = m[3] as string
      kind = name === '' ? (size === 256 * 1024 ? 'rssV8Pages' : 'rssOtherAnon') : name === '[heap]' ? 'rssMallocHeap' : name.includes('/') ? 'rssFiles' : 'rssOther'
    } else if (line.startsWith('Rss:')) out[kind] = (out[kind] ?? 0) + Number(line.split(/\s+/)[1]) * 1024
  }
  return out
}
const heap = async (): Promise<number> => (await settle(), process.memoryUsage().heapUsed)

/** A plain device: /3 defaults only, no sensors ticking (the cost of being a registered client). */
const PLAIN: Profile = { name: 'bench', lwm2mVersion: '1.2', objects: [] }

/** Raw baseline: `n` sockets each send one datagram to an echo socket and wait for it, 200 at a time. */
async function rawLoop(n: number, rounds: number): Promise<number> {
  const echo = createSocket('udp4')
  await new Promise<void>((r) => echo.bind(0, '127.0.0.1', () => r()))
  echo.on('message', (m, r) => echo.send(m, r.port, r.address))
  const port = echo.address().port
  const clients: Socket[] = []
  for (let i = 0; i < n; i++) {
    const s = createSocket('udp4')
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))
    clients.push(s)
  }
  const payload = Buffer.alloc(60, 1)
  const total = n * rounds
  let next = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: Math.min(200, total) }, async () => {
      while (next < total) {
        const c = clients[next++ % n] as Socket
        await new Promise<void>((resolve) => {
          c.once('message', () => resolve())
          c.send(payload, port, '127.0.0.1')
        })
      }
    })
  )
  const rate = total / ((performance.now() - t0) / 1000)
  for (const c of clients) c.close()
  echo.close()
  return rate
}

interface Servers {
  readonly serverUri: string
  readonly bsUri: string
  close(): Promise<void>
}

/**
 * The project's servers as `serve` runs them (core roles on their own UDP endpoints), without the
 * services around them (store, events), which the server bench leaves out too.
 */
async function startServers(): Promise<Servers> {
  const library = await loadModelLibrary({ shippedFile: join(process.cwd(), 'resources', 'models', 'models.json') })
  const serverLink = await UdpLink.open({ host: '127.0.0.1', port: 0 })
  const serverEndpoint = new CoapEndpoint({ link: serverLink, codec: coapCodec, scheduler: nodeScheduler, random: nodeRandom })
  const lwm2m = new Lwm2mServer({ link: coapDeviceLink(serverEndpoint), scheduler: nodeScheduler, random: nodeRandom, models: library.registry })
  serveUplink(serverEndpoint, (req) => lwm2m.handle(req))
  const serverUri = `coap://127.0.0.1:${serverLink.port}`
  const config: BootstrapConfig = readConfig({
    endpoint: '*', discoverFirst: false, deletePaths: [],
    security: [{ instanceId: 1, uri: serverUri, bootstrapServer: false, securityMode: 3, shortServerId: 101 }],
    servers: [{ instanceId: 0, shortServerId: 101, lifetime: 3600, notificationStoring: false, binding: 'U' }],
    contentFormat: 'auto', allowPack: true
  } as BootstrapConfig)
  const bsLink = await UdpLink.open({ host: '127.0.0.1', port: 0 })
  const bsEndpoint = new CoapEndpoint({ link: bsLink, codec: coapCodec, scheduler: nodeScheduler, random: nodeRandom })
  const bootstrap = new BootstrapServer({ link: coapDeviceLink(bsEndpoint), scheduler: nodeScheduler, random: nodeRandom, models: library.registry, configFor: () => config })
  serveUplink(bsEndpoint, (req, accept) => bootstrap.handle(req, accept))
  return {
    serverUri,
    bsUri: `coap://127.0.0.1:${bsLink.port}`,
    close: async () => {
      serverEndpoint.close()
      bsEndpoint.close()
      await serverLink.close()
      await bsLink.close()
    }
  }
}

/** The servers in a child process, so that this process's memory is the devices' alone. */
async function startServersApart(): Promise<Servers> {
  const child = spawn(process.execPath, ['--expose-gc', 'test/bench/run.mjs', 'fleet', '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] })
  const line = await new Promise<string>((resolve, reject) => {
    let buf = ''
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString()
      if (buf.includes('\n')) resolve(buf.slice(0, buf.indexOf('\n')))
    })
    child.once('exit', (code) => reject(new Error(`servers exited with ${code}`)))
  })
  const { serverUri, bsUri } = JSON.parse(line) as { serverUri: string; bsUri: string }
  return {
    serverUri,
    bsUri,
    close: async () => {
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
    }
  }
}

/** Time for `size` devices with the servers in this process, against the raw loop of the same run. */
async function run(size: number): Promise<void> {
  const library = await loadModelLibrary({ shippedFile: join(process.cwd(), 'resources', 'models', 'models.json') })
  const servers = await startServers()
  // Four messages per device: Bootstrap-Pack-Request and its answer, Register and its answer.
  const raw = await rawLoop(Math.min(size, 2000), Math.ceil((size * 2) / Math.min(size, 2000)))
  const rssBefore = await rss()
  const t0 = performance.now()
  // V8's defaults throughout (the heap mode switch comes after the timed part anyway, and this
  // process goes on to measure the next size's raw loop). Held in a box so the fleet can be let
  // go before the heap is measured again.
  const box: { fleet: SimulatedFleet | null; registered: number } = await startFleet(size, servers.bsUri, library.registry, new SimulatorHeapMode({ setFlags: () => undefined, collect: () => undefined }))
  const { registered } = box
  const seconds = (performance.now() - t0) / 1000
  const counts = (box.fleet as SimulatedFleet).counts()
  const rssAfter = await rss()
  const heapAfter = await heap()
  // What the devices alone hold: stop them (no De-register, so the servers keep every
  // registration) and see how much of the heap goes away.
  await (box.fleet as SimulatedFleet).stop(false)
  box.fleet = null
  const heapServersOnly = await heap()
  const perSecond = registered / seconds
  // Two round trips per device (Pack, Register): compare round trips per second with the raw loop's.
  const ratio = (perSecond * 2) / raw
  const kb = (bytes: number): string => (bytes / size / 1024).toFixed(1)
  console.log(
    `${String(size).padStart(6)} devices (servers in this process): ${registered === size ? 'all' : `${registered} of ${size}`} bootstrapped+registered in ${seconds.toFixed(2)} s` +
      ` (${perSecond.toFixed(0)}/s; ${ratio.toFixed(2)} × raw UDP round trips ${raw.toFixed(0)}/s)` +
      ` · per device, the devices' own heap ${kb(heapAfter - heapServersOnly)} KB; the whole process (devices + servers' registrations) RSS ${kb(rssAfter - rssBefore)} KB` +
      ` · bootstrapped ${counts.bootstrapped}, failed ${counts.states.failed}`
  )
  await servers.close()
}

/** Starts `size` devices bootstrapping from `bsUri`; resolves once all registered (or after 2 minutes). */
async function startFleet(size: number, bsUri: string, models: ModelLookup, heapMode: SimulatorHeapMode): Promise<{ fleet: SimulatedFleet; registered: number }> {
  let registered = 0
  let done: () => void = () => undefined
  const all = new Promise<void>((r) => (done = r))
  const endpoints = Array.from({ length: size }, (_, i) => `bench-${i}`)
  // As `lwm2m-wb simulate` does (services/simulator-heap-mode.ts): V8's memory saver mode once the
  // fleet has started, switched from the same fleet state.
  const fleet = await SimulatedFleet.start('bench', {
    profile: PLAIN, endpoints, bootstrap: bsUri, version: '1.2', format: 112, lifetime: 3600, queue: null
  }, models, (f, _ep, e) => {
    heapMode.update(f.startingUp)
    if (e.type === 'state' && e.state === 'registered' && ++registered === size) done()
  })
  if (size === 0) heapMode.update(fleet.startingUp)
  else await Promise.race([all, new Promise<void>((r) => setTimeout(r, 120_000))])
  return { fleet, registered }
}

interface MemoryFigures {
  readonly size: number
  readonly registered: number
  readonly seconds: number
  /** Resident set and heap as `ps` and V8 see them QUIET_MS after the last registration. */
  readonly rssAsIs: number
  /** The same after three forced GCs. */
  readonly rss: number
  readonly heap: number
  readonly memorySaver: boolean
}

/**
 * The memory of a fresh process that simulates `size` devices (servers in a child process), as the
 * simulate command runs them, QUIET_MS after the last one registered. Size 0 is the control: the
 * same process, the same servers, the same fleet start with no device in it.
 */
async function memory(size: number): Promise<MemoryFigures> {
  const library = await loadModelLibrary({ shippedFile: join(process.cwd(), 'resources', 'models', 'models.json') })
  const servers = await startServersApart()
  const heapMode = new SimulatorHeapMode()
  const t0 = performance.now()
  const { fleet, registered } = await startFleet(size, servers.bsUri, library.registry, heapMode)
  const seconds = (performance.now() - t0) / 1000
  // V8 gives freed pages back only after the process has been quiet for a while, as a running
  // fleet is (and the heap mode switches to memory saver as the fleet settles).
  await new Promise((r) => setTimeout(r, QUIET_MS))
  const rssAsIs = process.memoryUsage().rss
  const figures = { size, registered, seconds, rssAsIs, rss: await rss(), heap: await heap(), memorySaver: heapMode.memorySaver }
  await fleet.stop(false)
  await servers.close()
  return figures
}

const QUIET_MS = Number(process.env.FLEET_QUIET_MS ?? 10_000)

/** Runs memory(size) in a fresh process (--apart) and reads its figures. */
async function memoryApart(size: number): Promise<MemoryFigures> {
  const child = spawn(process.execPath, ['--expose-gc', 'test/bench/run.mjs', 'fleet', '--apart', String(size)], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  await new Promise((r) => child.once('exit', r))
  return JSON.parse(out.trim().split('\n').pop() as string) as MemoryFigures
}

if (process.argv.includes('--serve')) {
  // The child of startServersApart: say where the servers are, then serve until killed.
  const servers = await startServers()
  process.stdout.write(JSON.stringify({ serverUri: servers.serverUri, bsUri: servers.bsUri }) + '\n')
  process.on('SIGTERM', () => void servers.close().then(() => process.exit(0)))
} else if (process.argv.includes('--apart')) {
  // A fresh process per memory figure: a process that ran a fleet before keeps its freed pages,
  // and a second fleet would fill them without growing the resident set.
  process.stdout.write(JSON.stringify(await memory(Number(process.argv[process.argv.indexOf('--apart') + 1]))) + '\n')
} else {
  const sizes = process.argv.slice(3).map(Number).filter((n) => n > 0)
  console.log(`fleet bench (Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}): time with the servers in this process;` +
    ` memory per device in a fresh process with the servers in a child process, ${QUIET_MS / 1000} s after the last registration, against the same process with no device`)
  const control = await memoryApart(0)
  const kb = (bytes: number, n: number): string => (bytes / n / 1024).toFixed(1)
  for (const size of sizes.length > 0 ? sizes : [1000, 10000]) {
    await run(size)
    const m = await memoryApart(size)
    console.log(
      `${String(size).padStart(6)} devices (servers in a child process): ${m.registered === size ? 'all' : `${m.registered} of ${size}`} registered in ${m.seconds.toFixed(2)} s` +
        ` · per simulated device: RSS ${kb(m.rss - control.rss, size)} KB (${kb(m.rssAsIs - control.rssAsIs, size)} KB before forced GCs), heap ${kb(m.heap - control.heap, size)} KB` +
        ` · process RSS ${(m.rss / 1048576).toFixed(0)} MB, control ${(control.rss / 1048576).toFixed(0)} MB · V8 memory saver mode ${m.memorySaver ? 'on' : 'off'} · load average ${loadavg()[0]?.toFixed(1)}`
    )
  }
}
