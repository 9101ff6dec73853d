// The `lwm2m-wb` bin as users run it: the built bundle in a child process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { ROOT, runCli, runCliAsync, serve, type Served } from '../helpers/cli'
import { tempDir } from '../helpers/temp-dir'
import pkg from '../../package.json'

describe('lwm2m-wb --help and --version at every level', () => {
  for (const level of [[], ['serve'], ['call']]) {
    it(`${['lwm2m-wb', ...level].join(' ')} --help / --version`, () => {
      const h = runCli([...level, '--help'])
      expect(h.status).toBe(0)
      expect(h.stdout).toMatch(/Usage: lwm2m-wb/)
      if (level.length) expect(h.stdout).toContain(`lwm2m-wb ${level[0]}`)
      const v = runCli([...level, '--version'])
      expect(v.status).toBe(0)
      expect(v.stdout.trim()).toBe(pkg.version)
    })
  }
})

describe('bad arguments: one-line reason, exit 2', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown command', ['frobnicate'], /unknown command "frobnicate"/],
    ['unknown option', ['serve', '--bogus'], /Unknown option '--bogus'/],
    ['bad port', ['serve', '--http-port', '70000'], /--http-port must be a port number/],
    ['call without method', ['call'], /missing <method>/],
    ['call with bad JSON', ['call', 'system.info', '{nope'], /not valid JSON/],
    ['call with a non-method', ['call', 'rm -rf'], /is not a method name/],
    ['--token without --url', ['call', 'system.info', '--token', 'x'], /--token goes with --url/]
  ]
  for (const [name, args, reason] of cases) {
    it(name, () => {
      const r = runCli(args)
      expect(r.status).toBe(2)
      expect(r.stderr).toMatch(reason)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
    })
  }
})

describe('lwm2m-wb serve + call (issue 2 "Done when")', () => {
  let data: ReturnType<typeof tempDir>
  let served: Served
  beforeAll(async () => {
    data = tempDir()
    served = await serve(data.path)
  })
  afterAll(async () => {
    await served.stop()
    data.cleanup()
  })

  it('issue 12 item 20: with stdout piped, prints the URL without the token and says where the token is', async () => {
    await expect.poll(() => served.output()).toContain(`${join(data.path, 'instance.json')} (mode 0600)`)
    const lines = served.output().split('\n').filter((l) => l.startsWith('Workbench UI: '))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^Workbench UI: http:\/\/127\.0\.0\.1:\d+\/$/)
    expect(served.output()).not.toContain(served.token)
  })
  it('writes <data-dir>/instance.json, readable by the owner only', () => {
    const file = join(data.path, 'instance.json')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const inst = JSON.parse(readFileSync(file, 'utf8'))
    expect(inst).toMatchObject({ url: served.baseUrl, token: served.token, pid: served.child.pid })
  })
  it('call system.info --data-dir prints JSON with version and capabilities', async () => {
    const r = await runCliAsync(['call', 'system.info', '--data-dir', data.path])
    expect(r.status).toBe(0)
    const info = JSON.parse(r.stdout)
    expect(info.version).toBe(pkg.version)
    expect(info.capabilities).toHaveProperty('serial.available')
    expect(info.capabilities).toHaveProperty('pcsc.available')
    // The ports in use appear in system.info (issue 4 item 6); serve() asked for ephemeral ones.
    // DTLS 1.2 beside UDP for both roles (issue 15 item 5).
    expect(info.capabilities.listeners.map((l: { role: string; transport: string }) => `${l.role} ${l.transport}`)).toEqual([
      'LwM2M Server coap (UDP)',
      'Bootstrap Server coap (UDP)',
      'LwM2M Server coaps (DTLS 1.2)',
      'Bootstrap Server coaps (DTLS 1.2)'
    ])
    for (const l of info.capabilities.listeners) expect(l.port).toBeGreaterThan(0)
    expect(info.carrier).toBe('websocket')
    expect(info.electronVersion).toBeNull()
  })
  it('call with --url and --token, or the UI URL with its fragment', async () => {
    const a = await runCliAsync(['call', 'settings.get', '{"keys":["ui.theme"]}', '--url', served.baseUrl, '--token', served.token])
    expect(JSON.parse(a.stdout)).toEqual({ settings: { 'ui.theme': 'system' } })
    const b = await runCliAsync(['call', 'system.info', '--url', served.uiUrl])
    expect(b.status).toBe(0)
  })
  it('params from @file', async () => {
    const file = join(data.path, 'params.json')
    writeFileSync(file, '{"keys":["ui.density"]}')
    const r = await runCliAsync(['call', 'settings.get', '@' + file, '--data-dir', data.path])
    expect(JSON.parse(r.stdout)).toEqual({ settings: { 'ui.density': 'compact' } })
  })
  it('a wrong token is refused: exit 1 with the reason', async () => {
    const r = await runCliAsync(['call', 'system.info', '--url', served.baseUrl, '--token', 'wrong'])
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('refused the token')
    expect(r.stdout).toBe('')
  })
  it('a failing call prints the error code and exits 1', async () => {
    const r = await runCliAsync(['call', 'settings.set', '{"key":"ui.theme","value":"neon"}', '--data-dir', data.path])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/^error: settings.invalid_value: /)
  })
  it('issue 12 item 15: call devices.list {"constructor":1} is refused as an unknown field', async () => {
    for (const params of ['{"constructor":1}', '{"__proto__":1}', '{"toString":1}']) {
      const r = await runCliAsync(['call', 'devices.list', params, '--data-dir', data.path])
      expect(r.status, params).toBe(1)
      expect(r.stderr).toMatch(/^error: rpc.invalid_params: .*unknown field/)
    }
  })
  it('issue 12 item 16: params nested 5 000 levels deep → a one-line reason and exit 2, no stack trace', async () => {
    const deep = '{"value":'.repeat(5000) + '1' + '}'.repeat(5000)
    const file = join(data.path, 'deep.json')
    writeFileSync(file, `{"key":"ui.theme","value":${deep}}`)
    for (const arg of [`{"key":"ui.theme","value":${deep}}`, '@' + file]) {
      const r = await runCliAsync(['call', 'settings.set', arg, '--data-dir', data.path])
      expect(r.status).toBe(2)
      expect(r.stderr).toMatch(/^lwm2m-wb call: json-params is nested too deeply/)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).not.toMatch(/\n\s+at /)
    }
  })
  it('a second serve on the same data dir is refused and the first keeps serving', async () => {
    const r = await runCliAsync(['serve', '--http-port', '0', '--coap-port', '0', '--bs-port', '0', '--coaps-port', '0', '--bs-coaps-port', '0', '--data-dir', data.path])
    expect(r.status).toBe(1)
    expect(r.stderr).toContain(`already serves`)
    expect((await runCliAsync(['call', 'system.info', '--data-dir', data.path])).status).toBe(0)
  })
})

describe('issue 12 item 20: the token on a terminal', () => {
  it.runIf(existsSync('/usr/bin/script'))('stdout on a terminal (a pty from script(1)) gets the URL with #token=', async () => {
    const { spawn } = await import('node:child_process')
    const data = tempDir()
    const cmd = [process.execPath, join(ROOT, 'bin', 'lwm2m-wb.mjs'), 'serve', '--http-port', '0', '--coap-port', '0', '--bs-port', '0', '--coaps-port', '0', '--bs-coaps-port', '0', '--data-dir', data.path]
    const child = spawn('/usr/bin/script', ['-qfec', cmd.map((a) => `'${a}'`).join(' '), '/dev/null'])
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    const exited = new Promise((r) => child.on('exit', r))
    await expect.poll(() => out, { timeout: 20_000 }).toMatch(/Workbench UI: \S+#token=/)
    const inst = JSON.parse(readFileSync(join(data.path, 'instance.json'), 'utf8'))
    expect(out).toContain(`Workbench UI: ${inst.url}#token=${inst.token}`)
    process.kill(inst.pid, 'SIGTERM')
    await exited
    data.cleanup()
  })
})

describe('lifecycle', () => {
  it('SIGTERM stops serve cleanly and removes instance.json; call then says none runs', async () => {
    const data = tempDir()
    const s = await serve(data.path)
    expect(existsSync(join(data.path, 'instance.json'))).toBe(true)
    expect(await s.stop()).toBe(0)
    expect(existsSync(join(data.path, 'instance.json'))).toBe(false)
    const r = runCli(['call', 'system.info', '--data-dir', data.path])
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('no running instance')
    data.cleanup()
  })
  it('a port in use gives a clear reason', async () => {
    const data = tempDir()
    const s = await serve(data.path)
    const port = new URL(s.baseUrl).port
    const other = tempDir()
    const r = await runCliAsync(['serve', '--http-port', port, '--coap-port', '0', '--bs-port', '0', '--coaps-port', '0', '--bs-coaps-port', '0', '--data-dir', other.path])
    expect(r.status).toBe(1)
    expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is in use`)
    await s.stop()
    data.cleanup()
    other.cleanup()
  })
})

describe('runs on Node 24 even when started by an older Node', () => {
  const systemNode = '/usr/bin/node'
  const version = existsSync(systemNode) ? execFileSync(systemNode, ['--version'], { encoding: 'utf8' }).trim() : ''
  it.runIf(/^v(1\d|2[0-3])\./.test(version))(`re-executes under the project's Node 24 (system Node is ${version || 'absent'})`, async () => {
    const data = tempDir()
    const s = await serve(data.path)
    const r = runCli(['call', 'system.info', '--data-dir', data.path], { node: systemNode })
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout).nodeVersion).toMatch(/^24\./)
    await s.stop()
    data.cleanup()
  })
})

describe('npm start', () => {
  it('without an Electron binary or a display, says why and starts the headless mode instead', async () => {
    const { spawn } = await import('node:child_process')
    const data = tempDir()
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.mjs'), '--http-port', '0', '--coap-port', '0', '--bs-port', '0', '--coaps-port', '0', '--bs-coaps-port', '0', '--data-dir', data.path], {
      env: { ...process.env, DISPLAY: '', WAYLAND_DISPLAY: '' }
    })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    await expect.poll(() => out, { timeout: 20_000 }).toContain('Workbench UI: http://127.0.0.1:')
    expect(out.split('\n')[0]).toMatch(/^start: .*(Electron binary|no display).*starting the headless mode instead/)
    const exited = new Promise((r) => child.on('exit', r))
    child.kill('SIGTERM')
    await exited
    data.cleanup()
  })
})
