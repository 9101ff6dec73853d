// SPDX-License-Identifier: Apache-2.0
// `npm run bench -- devices-ui [count]`: the Devices list in Chromium with 10 000 registered devices.
// Scrolls the virtualized table for 300 frames and reports the 95th-percentile frame time against
// an idle frame loop measured in the same page (the baseline), then the time a filter takes to
// show its result. Devices register over real UDP with the strict codec (CON POST /rd).
import { spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { coapCodec } from '../../src-main/core/coap/codec'
import { Option } from '../../src-main/core/coap/message'
import { launchChromium } from '../helpers/browser'

const COUNT = Number(process.argv[3] ?? 10_000)
const root = join(import.meta.dirname, '..', '..')
const dataDir = mkdtempSync(join(tmpdir(), 'wb-bench-'))
const enc = new TextEncoder()

const child = spawn(process.execPath, [join(root, 'bin', 'lwm2m-wb.mjs'), 'serve', '--http-port', '0', '--coap-port', '0', '--no-bs', '--no-coaps', '--data-dir', dataDir])
const url = await new Promise<string>((resolve) => {
  let out = ''
  child.stdout.on('data', (d) => {
    out += d
    // Piped stdout shows the URL without its token; the token is in instance.json.
    const m = /Workbench UI: (\S+)/.exec(out)
    if (m) resolve(`${(m[1] as string).replace(/#.*$/, '')}#token=${JSON.parse(readFileSync(join(dataDir, 'instance.json'), 'utf8')).token}`)
  })
})
console.log(`serving ${url.replace(/#.*$/, '')}`)
const info = await fetchInfo()
const port = info.capabilities.listeners[0].port as number

// Register COUNT devices, 500 sockets each sending 20 Registers from distinct... one socket per device.
const t0 = performance.now()
let done = 0
await new Promise<void>((resolve) => {
  let next = 0
  const start = () => {
    if (next >= COUNT) return
    const i = next++
    const s = createSocket('udp4')
    let timer: ReturnType<typeof setTimeout> | undefined
    s.on('message', () => {
      clearTimeout(timer)
      s.close()
      if (++done === COUNT) resolve()
      start()
    })
    // No retransmission layer here: resend after a second if a burst lost the datagram.
    const send = () => {
      timer = setTimeout(send, 1000)
      s.send(
        coapCodec.encode({
          type: 'CON',
          code: 2,
          messageId: i & 0xffff,
          token: Uint8Array.of(i & 255, i >> 8, 1, 2),
          options: [
            { number: Option.URI_PATH, value: enc.encode('rd') },
            { number: Option.CONTENT_FORMAT, value: Uint8Array.of(40) },
            { number: Option.URI_QUERY, value: enc.encode(`ep=dev-${String(i).padStart(5, '0')}`) },
            { number: Option.URI_QUERY, value: enc.encode('lt=86400') },
            { number: Option.URI_QUERY, value: enc.encode('lwm2m=1.2') }
          ],
          payload: enc.encode('</1/0>,</3/0>')
        }),
        port,
        '127.0.0.1'
      )
    }
    s.bind(0, '127.0.0.1', send)
  }
  for (let k = 0; k < 200; k++) start()
})
console.log(`${COUNT} devices registered in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

const browser = await launchChromium()
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
await page.goto(url)
await page.getByRole('link', { name: 'Devices' }).click()
await page.waitForFunction((n) => document.body.textContent?.includes(`of ${n} devices`), COUNT, { timeout: 60_000 })

const frames = (scroll: boolean) =>
  page.evaluate(async (scroll) => {
    const table = document.querySelector('[data-testid="device-table"]') as HTMLElement
    const scroller = [...table.querySelectorAll<HTMLElement>('*')].find((e) => e.scrollHeight > e.clientHeight + 100) as HTMLElement
    const times: number[] = []
    let last = performance.now()
    for (let i = 0; i < 300; i++) {
      await new Promise((r) => requestAnimationFrame(r))
      const now = performance.now()
      times.push(now - last)
      last = now
      if (scroll) scroller.scrollTop += 300 // a brisk wheel: ten 28 px rows a frame
    }
    times.sort((a, b) => a - b)
    return { p95: times[Math.floor(times.length * 0.95)] as number, median: times[Math.floor(times.length / 2)] as number }
  }, scroll)

/** A second baseline: a plain, non-virtual list of 400 rows scrolled the same way (paint cost alone). */
const plain = await page.evaluate(async () => {
  const box = document.createElement('div')
  box.style.cssText = 'position:fixed;inset:100px 200px;overflow:auto;background:#fff;z-index:9999'
  for (let i = 0; i < 4000; i++) {
    const row = document.createElement('div')
    row.style.height = '28px'
    row.textContent = `row ${i} dev-${i} 127.0.0.1:${40000 + i} expires in 23 h 59 m`
    box.appendChild(row)
  }
  document.body.appendChild(box)
  const times: number[] = []
  let last = performance.now()
  for (let i = 0; i < 300; i++) {
    await new Promise((r) => requestAnimationFrame(r))
    const now = performance.now()
    times.push(now - last)
    last = now
    box.scrollTop += 300
  }
  box.remove()
  times.sort((a, b) => a - b)
  return { p95: times[Math.floor(times.length * 0.95)] as number, median: times[Math.floor(times.length / 2)] as number }
})
const idle = await frames(false)
const scrolled = await frames(true)
const f0 = Date.now()
await page.getByTestId('device-filter').fill('dev-00999')
await page.waitForFunction(() => /^\s*1 of /.test(document.querySelector('.devices__bar .muted')?.textContent ?? ''))
const filterMs = Date.now() - f0
console.log(`idle frames (baseline): median ${idle.median.toFixed(1)} ms, p95 ${idle.p95.toFixed(1)} ms`)
console.log(`plain DOM list scrolled the same way (paint baseline): median ${plain.median.toFixed(1)} ms, p95 ${plain.p95.toFixed(1)} ms`)
console.log(`scrolling ${COUNT} devices: median ${scrolled.median.toFixed(1)} ms, p95 ${scrolled.p95.toFixed(1)} ms (${(scrolled.p95 / idle.p95).toFixed(2)} × idle p95, ${(scrolled.p95 / plain.p95).toFixed(2)} × plain-list p95; budget 16.7 ms)`)
console.log(`filter "dev-00999" answered in ${filterMs} ms (budget 200 ms)`)
await browser.close()
child.kill('SIGTERM')
rmSync(dataDir, { recursive: true, force: true })
process.exit(0)

async function fetchInfo() {
  const { execFileSync } = await import('node:child_process')
  return JSON.parse(execFileSync(process.execPath, [join(root, 'bin', 'lwm2m-wb.mjs'), 'call', 'system.info', '--data-dir', dataDir], { encoding: 'utf8' }))
}
