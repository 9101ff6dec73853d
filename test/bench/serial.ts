// SPDX-License-Identifier: Apache-2.0
// `npm run bench -- serial`: CoAP round trips per second over a real pty pair (socat), both ends
// in slipmux framing through our SerialLink and CoapEndpoint (a CON GET answered piggybacked
// 2.05), as a ratio to a raw echo of the same bytes over the same pty in the same run: the
// request's slipmux frame written, echoed by the far end, read back whole. Ptys ignore baud rates,
// so this measures our per-message cost on the line, not the line rate. Rounds alternate
// (raw, ours, ours, raw, …) so load that comes and goes hits both alike.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { coapCodec } from '../../src-main/core/coap/codec'
import { CoapEndpoint } from '../../src-main/core/coap/endpoint'
import { Method, Option, Response } from '../../src-main/core/coap/message'
import { encodeCoapFrame } from '../../src-main/core/serial/slipmux'
import { nodeRandom, nodeScheduler } from '../../src-main/transports/node-runtime'
import { SerialLink } from '../../src-main/transports/serial'
import { median } from './paired'

const ROUNDS = 7
const ROUND_MS = 1000
const enc = new TextEncoder()

async function ptyPair(): Promise<{ a: string; b: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-pty-'))
  const a = join(dir, 'A')
  const b = join(dir, 'B')
  const child = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' })
  const exited = new Promise((r) => child.once('exit', r))
  while (!(existsSync(a) && existsSync(b))) await new Promise((r) => setTimeout(r, 20))
  return {
    a,
    b,
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

  const rawRound = async (ms: number): Promise<number> => {
    const host = await SerialLink.open({
      path: pty.a,
      framing: 'raw',
      baudRate: 115200,
      onBytes: (chunk) => {
        rawGot += chunk.length
        rawWake?.()
      }
    })
    const far: SerialLink = await SerialLink.open({ path: pty.b, framing: 'raw', baudRate: 115200, onBytes: (chunk) => void far.writeBytes(chunk.slice()) })
    let n = 0
    const t0 = performance.now()
    while (performance.now() - t0 < ms) {
      rawGot = 0
      const back = new Promise<void>((resolve) => (rawWake = () => rawGot >= sample.length && resolve()))
      await host.writeBytes(sample)
      await back
      n++
    }
    const rate = (n * 1000) / (performance.now() - t0)
    await host.close()
    await far.close()
    return rate
  }

  const coapRound = async (ms: number): Promise<number> => {
    const hostLink = await SerialLink.open({ path: pty.a, framing: 'slipmux', baudRate: 115200 })
    const farLink = await SerialLink.open({ path: pty.b, framing: 'slipmux', baudRate: 115200 })
    const host = new CoapEndpoint({ link: hostLink, codec: coapCodec, scheduler: nodeScheduler, random: nodeRandom })
    const far = new CoapEndpoint({ link: farLink, codec: coapCodec, scheduler: nodeScheduler, random: nodeRandom })
    const body = enc.encode('LwM2M Workbench')
    far.onRequest(() => ({ code: Response.CONTENT, payload: body }))
    let n = 0
    const t0 = performance.now()
    while (performance.now() - t0 < ms) {
      await host.request(hostLink.peer, { code: Method.GET, options: path })
      n++
    }
    const rate = (n * 1000) / (performance.now() - t0)
    host.close()
    far.close()
    await hostLink.close()
    await farLink.close()
    return rate
  }

  console.log(`serial: CoAP round trips over a socat pty pair vs a raw echo of a request frame (${sample.length} bytes), ${ROUNDS} rounds of ${ROUND_MS} ms each`)
  await rawRound(300)
  await coapRound(300)
  const raws: number[] = []
  const ours: number[] = []
  const ratios: number[] = []
  for (let i = 0; i < ROUNDS; i++) {
    let r: number
    let c: number
    if (i % 2 === 0) {
      r = await rawRound(ROUND_MS)
      c = await coapRound(ROUND_MS)
    } else {
      c = await coapRound(ROUND_MS)
      r = await rawRound(ROUND_MS)
    }
    raws.push(r)
    ours.push(c)
    ratios.push(c / r)
  }
  await pty.stop()
  const fmt = (x: number): string => Math.round(x).toLocaleString('en')
  console.log(`raw echo round trips/s:   ${fmt(median(raws))} (min ${fmt(Math.min(...raws))})`)
  console.log(`CoAP GET round trips/s:   ${fmt(median(ours))} (min ${fmt(Math.min(...ours))})`)
  console.log(`ratio CoAP / raw echo:    ${median(ratios).toFixed(2)} median, ${Math.min(...ratios).toFixed(2)} min (goal ≥ 0.8)`)
}

await main()
