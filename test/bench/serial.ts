// SPDX-License-Identifier: Apache-2.0
// `npm run bench -- serial`: CoAP round trips per second over a real pty pair (socat), both ends
// in slipmux framing through our SerialLink and CoapEndpoint (a CON GET answered piggybacked
// 2.05), as a ratio to a raw echo of the same bytes over the same pty in the same run: the
// request's slipmux frame written, echoed by the far end, read back whole. Ptys ignore baud rates,
// so this measures our per-message cost on the line, not the line rate. Rounds alternate
// (raw, ours, ours, raw, …) so load that comes and goes hits both alike.
// Both sides go through the same SerialLink (same binding, same descriptor I/O, same pty and
// socat); the echo copies nothing and decodes no text. What differs is what the comparison is
// about: slipmux framing, FCS and the CoAP exchange. The CPU per round trip of this process and
// of socat is printed with it, to tell our cost from the pty's and the relay's.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { coapCodec } from '../../src-main/core/coap/codec'
import { CoapEndpoint } from '../../src-main/core/coap/endpoint'
import { Method, Option, Response } from '../../src-main/core/coap/message'
import { encodeCoapFrame } from '../../src-main/core/serial/slipmux'
import { nodeRandom, nodeScheduler } from '../../src-main/transports/node-runtime'
import { SerialLink } from '../../src-main/transports/serial'
import { median } from './paired'

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
function procCpu(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(f[11]) + Number(f[12])) / 100
  } catch {
    return NaN
  }
}
const selfCpu = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}

// Many short rounds: on a shared machine load comes in bursts, and the median ratio drops the rounds a burst hit.
const ROUNDS = 21
const ROUND_MS = 400
const enc = new TextEncoder()

async function ptyPair(): Promise<{ a: string; b: string; pid: number; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-pty-'))
  const a = join(dir, 'A')
  const b = join(dir, 'B')
  const child = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' })
  const exited = new Promise((r) => child.once('exit', r))
  while (!(existsSync(a) && existsSync(b))) await new Promise((r) => setTimeout(r, 20))
  return {
    a,
    b,
    pid: child.pid ?? 0,
    stop: async () => {
      child.kill()
      await exited
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

const path = [{ number: Option.URI_PATH, value: enc.encode('3') }, { number: Option.URI_PATH, value: enc.encode('0') }, { number: Option.URI_PATH, value: enc.encode('0') }]

async function main(): Promise<void> {
  const pty = await ptyPair()
  // Raw baseline: the host writes a request's slipmux frame, the far end echoes every byte.
  const sample = encodeCoapFrame(coapCodec.encode({ type: 'CON', code: Method.GET, messageId: 1, token: new Uint8Array(8).fill(7), options: path, payload: new Uint8Array(0) }))
  let rawGot = 0
  let rawWake: (() => void) | null = null

  /** Round trips per second, and CPU µs per round trip of this process and of socat. */
  type Round = { rate: number; self: number; socat: number }
  const timed = async (ms: number, trip: () => Promise<void>): Promise<Round> => {
    let n = 0
    const c0 = selfCpu()
    const s0 = procCpu(pty.pid)
    const t0 = performance.now()
    while (performance.now() - t0 < ms) {
      await trip()
      n++
    }
    const t = performance.now() - t0
    return { rate: (n * 1000) / t, self: ((selfCpu() - c0) * 1e6) / n, socat: ((procCpu(pty.pid) - s0) * 1e6) / n }
  }

  const rawRound = async (ms: number): Promise<Round> => {
    const host = await SerialLink.open({
      path: pty.a,
      framing: 'raw',
      baudRate: 115200,
      onBytes: (chunk) => {
        rawGot += chunk.length
        rawWake?.()
      }
    })
    const far: SerialLink = await SerialLink.open({ path: pty.b, framing: 'raw', baudRate: 115200, onBytes: (chunk) => void far.writeBytes(chunk) })
    const rate = await timed(ms, async () => {
      rawGot = 0
      const back = new Promise<void>((resolve) => (rawWake = () => rawGot >= sample.length && resolve()))
      await host.writeBytes(sample)
      await back
    })
    await host.close()
    await far.close()
    return rate
  }

  const coapRound = async (ms: number): Promise<Round> => {
    const hostLink = await SerialLink.open({ path: pty.a, framing: 'slipmux', baudRate: 115200 })
    const farLink = await SerialLink.open({ path: pty.b, framing: 'slipmux', baudRate: 115200 })
    const host = new CoapEndpoint({ link: hostLink, codec: coapCodec, scheduler: nodeScheduler, random: nodeRandom })
    const far = new CoapEndpoint({ link: farLink, codec: coapCodec, scheduler: nodeScheduler, random: nodeRandom })
    const body = enc.encode('LwM2M Workbench')
    far.onRequest(() => ({ code: Response.CONTENT, payload: body }))
    const rate = await timed(ms, async () => {
      await host.request(hostLink.peer, { code: Method.GET, options: path })
    })
    host.close()
    far.close()
    await hostLink.close()
    await farLink.close()
    return rate
  }

  console.log(`serial: CoAP round trips over a socat pty pair vs a raw echo of a request frame (${sample.length} bytes), ${ROUNDS} rounds of ${ROUND_MS} ms each`)
  await rawRound(300)
  await coapRound(300)
  const raws: Round[] = []
  const ours: Round[] = []
  const ratios: number[] = []
  for (let i = 0; i < ROUNDS; i++) {
    let r: Round
    let c: Round
    if (i % 2 === 0) {
      r = await rawRound(ROUND_MS)
      c = await coapRound(ROUND_MS)
    } else {
      c = await coapRound(ROUND_MS)
      r = await rawRound(ROUND_MS)
    }
    raws.push(r)
    ours.push(c)
    ratios.push(c.rate / r.rate)
  }
  await pty.stop()
  const fmt = (x: number): string => Math.round(x).toLocaleString('en')
  const rates = (xs: Round[]): number[] => xs.map((x) => x.rate)
  const cpu = (xs: Round[]): string =>
    `${fmt(median(xs.map((x) => 1e6 / x.rate)))} µs wall, CPU ${fmt(median(xs.map((x) => x.self)))} µs here + ${fmt(median(xs.map((x) => x.socat)))} µs socat per round trip`
  console.log(`raw echo round trips/s:   ${fmt(median(rates(raws)))} (min ${fmt(Math.min(...rates(raws)))}); ${cpu(raws)}`)
  console.log(`CoAP GET round trips/s:   ${fmt(median(rates(ours)))} (min ${fmt(Math.min(...rates(ours)))}); ${cpu(ours)}`)
  console.log(`per-round ratios: ${ratios.map((r) => r.toFixed(2)).join(' ')}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`)
  console.log(`ratio CoAP / raw echo:    ${median(ratios).toFixed(2)} median, ${Math.min(...ratios).toFixed(2)} min (goal ≥ 0.8)`)
}

await main()
