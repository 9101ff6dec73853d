// SPDX-License-Identifier: Apache-2.0
// The Packets view at a million frames, in headless Chromium (software rendering): `lwm2m-wb serve`
// takes a 1 000 000-frame fleet pcapng over its HTTP upload, the view opens on it and is scrolled
// 240 px a frame (ten 24 px rows) for 300 frames. As in devices-ui, each figure is compared with an
// idle frame loop and a plain, non-virtual DOM list scrolled the same way in the same page (goal:
// p95 within 1.15 × idle and no worse than the plain list), and a filter typed into the bar must
// answer in under 200 ms. Frame times on a shared 2-core machine swing with the other processes, so
// a second pass also reports the renderer main thread's CPU time per frame (thread time from a
// Chromium trace, which the other processes hardly move) for the same three loops.
//
// Run: npm run build && npm run bench -- packets-ui [frames]
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { launchChromium } from '../helpers/browser'
import { buildFleetPcapng } from './fleet-pcapng'

const COUNT = Number(process.argv[3] ?? 1_000_000)
const root = join(import.meta.dirname, '..', '..')
const dataDir = mkdtempSync(join(tmpdir(), 'wb-bench-'))
const file = join(dataDir, 'fleet.pcapng')
buildFleetPcapng(file, COUNT)

const child = spawn(process.execPath, [join(root, 'bin', 'lwm2m-wb.mjs'), 'serve', '--http-port', '0', '--no-coap', '--no-bs', '--data-dir', dataDir])
const url = await new Promise<string>((resolve) => {
  let out = ''
  child.stdout.on('data', (d) => {
    out += d
    const m = /Workbench UI: (\S+)/.exec(out)
    if (m) resolve((m[1] as string).replace(/#.*$/, ''))
  })
})
const token = (JSON.parse(readFileSync(join(dataDir, 'instance.json'), 'utf8')) as { token: string }).token
const t0 = performance.now()
const up = await fetch(`${url}capture/import`, { method: 'POST', body: readFileSync(file), headers: { Authorization: `Bearer ${token}` } })
const imported = (await up.json()) as { frames: number }
console.log(`${imported.frames.toLocaleString()} frames uploaded and imported in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

const browser = await launchChromium()
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
await page.goto(`${url}#token=${token}`)
await page.getByRole('link', { name: 'Packets' }).click()
await page.waitForFunction((n) => (document.querySelector('[data-testid="packet-count"]')?.textContent ?? '').replace(/\D/g, '').startsWith(String(n)), imported.frames, { timeout: 60_000 })
// Follow-live would pin the view to the end: scroll from the top instead.
await page.getByTestId('follow').click()
await page.evaluate(() => ((document.querySelector('[data-testid="packet-table"] .vrows') as HTMLElement).scrollTop = 0))

const frames = (scroll: boolean) =>
  page.evaluate(async (scroll) => {
    const scroller = document.querySelector('[data-testid="packet-table"] .vrows') as HTMLElement
    const times: number[] = []
    let last = performance.now()
    for (let i = 0; i < 300; i++) {
      await new Promise((r) => requestAnimationFrame(r))
      const now = performance.now()
      times.push(now - last)
      last = now
      if (scroll) scroller.scrollTop += 240
    }
    times.sort((a, b) => a - b)
    return { p95: times[Math.floor(times.length * 0.95)] as number, median: times[Math.floor(times.length / 2)] as number }
  }, scroll)

const plain = await page.evaluate(async () => {
  const box = document.createElement('div')
  box.style.cssText = 'position:fixed;inset:100px 200px;overflow:auto;background:#fff;z-index:9999'
  for (let i = 0; i < 4000; i++) {
    const row = document.createElement('div')
    row.style.height = '24px'
    row.textContent = `${i} 10:00:00.000 → in sim-${i} Read /3/0 Device 2.05 Content 2.05 3 ms 64 B`
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
    box.scrollTop += 240
  }
  box.remove()
  times.sort((a, b) => a - b)
  return { p95: times[Math.floor(times.length * 0.95)] as number, median: times[Math.floor(times.length / 2)] as number }
})
const idle = await frames(false)
const scrolled = await frames(true)

/** Renderer main-thread CPU per frame over 300 frames of `loop`, from the trace's RunTask thread times. */
async function cpuPerFrame(loop: () => Promise<unknown>): Promise<number> {
  const cdp = await page.context().newCDPSession(page)
  const events: { name: string; ph: string; pid: number; tid: number; tdur?: number; args?: { name?: string } }[] = []
  cdp.on('Tracing.dataCollected', (d) => events.push(...(d.value as unknown as typeof events)))
  const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r))
  await cdp.send('Tracing.start', { categories: 'disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' })
  await loop()
  await cdp.send('Tracing.end')
  await done
  await cdp.detach()
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
  let us = 0
  for (const e of events) if (e.ph === 'X' && e.name === 'RunTask' && e.pid === main?.pid && e.tid === main.tid) us += e.tdur ?? 0
  return us / 1000 / 300
}
// The plain list is built and laid out before tracing: what is measured is the scrolling.
const plainBox = await page.evaluateHandle(() => {
  const box = document.createElement('div')
  box.style.cssText = 'position:fixed;inset:100px 200px;overflow:auto;background:#fff;z-index:9999'
  for (let i = 0; i < 4000; i++) {
    const row = document.createElement('div')
    row.style.height = '24px'
    row.textContent = `${i} 10:00:00.000 → in sim-${i} Read /3/0 Device 2.05 Content 2.05 3 ms 64 B`
    box.appendChild(row)
  }
  document.body.appendChild(box)
  void box.offsetHeight
  return box
})
await page.waitForTimeout(200)
const plainLoop = () =>
  plainBox.evaluate(async (box) => {
    for (let i = 0; i < 300; i++) {
      await new Promise((r) => requestAnimationFrame(r))
      box.scrollTop += 240
    }
  })
const cpuIdle = await cpuPerFrame(() => frames(false))
const cpuPlain = await cpuPerFrame(plainLoop)
const cpuScrolled = await cpuPerFrame(() => frames(true))
const f0 = Date.now()
await page.getByTestId('packet-filter').locator('input').fill('ep=sim-7 && code>=4.00')
await page.waitForFunction(() => {
  // "6 of 1,000,000 frames": the filter answered once the first number is no longer the total.
  const [matched = '', rest = ''] = (document.querySelector('[data-testid="packet-count"]')?.textContent ?? '').split(' of ')
  return matched.trim() !== rest.split(' ')[0]
}, undefined, { timeout: 30_000 })
// The bar waits 250 ms after the last key before asking; what is measured is the rest.
const filterMs = Date.now() - f0 - 250
console.log(`idle frames (baseline): median ${idle.median.toFixed(1)} ms, p95 ${idle.p95.toFixed(1)} ms`)
console.log(`plain DOM list scrolled the same way (paint baseline): median ${plain.median.toFixed(1)} ms, p95 ${plain.p95.toFixed(1)} ms`)
console.log(`scrolling ${imported.frames.toLocaleString()} frames: median ${scrolled.median.toFixed(1)} ms, p95 ${scrolled.p95.toFixed(1)} ms (${(scrolled.p95 / idle.p95).toFixed(2)} × idle p95, ${(scrolled.p95 / plain.p95).toFixed(2)} × plain-list p95)`)
console.log(`renderer main-thread CPU per frame (traced pass): idle ${cpuIdle.toFixed(2)} ms, plain list ${cpuPlain.toFixed(2)} ms, packet list ${cpuScrolled.toFixed(2)} ms`)
console.log(`filter "ep=sim-7 && code>=4.00" answered in ${filterMs} ms after the typing pause (budget 200 ms)`)
await browser.close()
child.kill('SIGTERM')
rmSync(dataDir, { recursive: true, force: true })
process.exit(0)
