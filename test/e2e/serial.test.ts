// SPDX-License-Identifier: Apache-2.0
// End to end (issue 17 item 5): `serve --serial A` opens one end of a real pty pair (socat),
// `lwm2m-wb simulate --serial B` runs a device on the other end; Chromium opens the Serial view,
// sees the device's diagnostic text in the xterm console (under the strict CSP: any violation
// fails the test), follows a CoAP frame to the device page and reads the device over the line.
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN } from '../helpers/cli'
import { ptyPair, type PtyPair } from '../helpers/pty-pair'
import { runCliAsync } from '../helpers/cli'
import { fakeZephyrShell, type FakeShell } from '../helpers/zephyr-shell-peer'
import { openWorkbenchPage, SHOTS, type WorkbenchPage } from '../helpers/workbench-page'

let pty: PtyPair
let wb: WorkbenchPage
let page: WorkbenchPage['page']
let sim: ChildProcess
let shellPty: PtyPair | null = null
let shell: FakeShell | null = null

beforeAll(async () => {
  pty = await ptyPair()
  wb = await openWorkbenchPage(['--serial', `${pty.a}:115200:slipmux`])
  page = wb.page
  sim = spawn(process.execPath, [BIN, 'simulate', '--serial', pty.b, '--endpoint', 'e2e-serial'], { stdio: 'ignore' })
})
afterAll(async () => {
  if (sim && sim.exitCode === null) {
    const exited = new Promise((r) => sim.once('exit', r))
    sim.kill('SIGINT')
    await exited
  }
  await wb?.close()
  await shell?.close()
  await shellPty?.stop()
  await pty?.stop()
})

describe('Serial view', () => {
  it('lists the open line; its console shows the device diagnostic text', async () => {
    await page.getByRole('link', { name: 'Serial', exact: true }).click()
    await page.getByTestId('serial-open-lines').getByText(pty.a).click()
    const terminal = page.getByTestId('serial-terminal')
    await expect.poll(() => terminal.textContent(), { timeout: 20_000 }).toContain('e2e-serial: registered')
    expect(await terminal.textContent()).toContain(`e2e-serial: simulated device on ${pty.b}, slipmux`)
  })

  it('shows one line per CoAP frame; the Register links to the device', async () => {
    const frames = page.getByTestId('serial-frames')
    await expect.poll(() => frames.textContent()).toContain('POST')
    expect(await frames.textContent()).toContain('/rd?')
    // The line's counters follow serial.data.
    await expect.poll(() => page.getByText(/[1-9]\d* CoAP, [1-9]\d* diagnostic, 0 bad FCS/).count()).toBe(1)
    await page.screenshot({ path: join(SHOTS, 'serial.png') })
    expect(wb.problems).toEqual([])
  })

  it('search finds a console line', async () => {
    // Element Plus puts the test id on the native input.
    const search = page.getByTestId('serial-search')
    await search.fill('no such text anywhere')
    await search.press('Enter')
    await page.getByText('not found', { exact: true }).waitFor()
    await search.fill('registering')
    await search.press('Enter')
    await expect.poll(() => page.getByText('not found', { exact: true }).count()).toBe(0)
    expect(wb.problems).toEqual([])
  })

  it('the device page reads the device over the line', async () => {
    await page.getByTestId('serial-frames').getByRole('link', { name: 'e2e-serial' }).first().click()
    await page.getByTestId('object-tree').waitFor()
    await expect.poll(() => page.getByTestId('device-facts').textContent()).toContain(pty.a)
    await page.locator('[data-path="/3/0/0"]').click()
    await page.getByRole('button', { name: 'Read', exact: true }).click()
    await expect.poll(() => page.getByTestId('op-result').textContent()).toContain('LwM2M Workbench')
    expect(wb.problems).toEqual([])
    // The Read went over the line: its frames are in the Serial view.
    await page.getByRole('link', { name: 'Serial', exact: true }).click()
    await page.getByTestId('serial-open-lines').getByText(pty.a).click()
    await expect.poll(() => page.getByTestId('serial-frames').textContent()).toContain('/3/0/0')
    expect(wb.problems).toEqual([])
  })

  it('opens a raw line through the form and provisions a Zephyr shell on it from a stored configuration', async () => {
    shellPty = await ptyPair()
    shell = await fakeZephyrShell(shellPty.b)
    const config = {
      endpoint: 'zephyr-e2e',
      discoverFirst: false,
      deletePaths: [],
      security: [{ instanceId: 0, uri: 'coap+uart://ttyACM0', bootstrapServer: false, securityMode: 3, shortServerId: 101 }],
      servers: [{ instanceId: 0, shortServerId: 101, lifetime: 300, notificationStoring: false, binding: 'U' }],
      contentFormat: 'auto',
      allowPack: false
    }
    expect((await runCliAsync(['call', 'bootstrap.configs.put', JSON.stringify({ config }), '--data-dir', wb.data.path])).status).toBe(0)
    await page.getByRole('link', { name: 'Serial', exact: true }).click()
    await page.getByTestId('serial-path').fill(shellPty.a)
    await page.getByText('raw (shell)').click()
    await page.getByTestId('serial-open').click()
    await page.getByTestId('serial-open-lines').getByText(shellPty.a).waitFor()
    await page.getByTestId('shell-provision').locator('summary').click()
    await page.getByTestId('provision-endpoint').click()
    await page.getByRole('option', { name: 'zephyr-e2e' }).click()
    await page.getByTestId('shell-provision').getByRole('button', { name: 'Provision' }).click()
    await expect.poll(() => page.getByTestId('shell-provision').textContent(), { timeout: 20_000 }).toContain('Provisioned: 12 commands')
    expect(shell.received).toContain('lwm2m start zephyr-e2e -b 0')
    // The console shows the shell's echo and our commands.
    await expect.poll(() => page.getByTestId('serial-terminal').textContent()).toContain('RD Client started with endpoint zephyr-e2e')
    await page.screenshot({ path: join(SHOTS, 'serial-shell.png') })
    expect(wb.problems).toEqual([])
  })
})
