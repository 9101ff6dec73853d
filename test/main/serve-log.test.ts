// Issue 12 item 21: serve logs protocol events to stderr — registrations and errors by default,
// each CoAP request and response at --log-level debug, JSON lines with --log-format json.
import { afterEach, describe, expect, it } from 'vitest'
import { createLogger } from '../../src-main/services/logger'
import { serve, type Served } from '../helpers/cli'
import { NodeCoapDevice } from '../helpers/coap-device'
import { tempDir } from '../helpers/temp-dir'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function served(extra: string[]): Promise<{ s: Served; port: number }> {
  const data = tempDir()
  const s = await serve(data.path, extra)
  cleanups.push(() => data.cleanup(), async () => void (await s.stop()))
  await expect.poll(() => /LwM2M Server: coap:\/\/\S+:(\d+)/.exec(s.output())).toBeTruthy()
  const port = Number(/LwM2M Server: coap:\/\/\S+:(\d+)/.exec(s.output())?.[1])
  return { s, port }
}

async function register(port: number, ep: string): Promise<void> {
  const dev = await NodeCoapDevice.start()
  cleanups.push(() => dev.close())
  expect((await dev.register(port, ep)).code).toBe('2.01')
}

describe('issue 12 item 21: serve logs protocol events', () => {
  it('by default (info, text): a registration is logged on stderr, CoAP traffic is not', async () => {
    const { s, port } = await served([])
    await register(port, 'log-dev-1')
    await expect.poll(() => s.output()).toMatch(/^\S+Z INFO device\.registered endpoint=log-dev-1 .*address=127\.0\.0\.1:\d+/m)
    expect(s.output()).toMatch(/INFO listener\.started role="LwM2M Server"/)
    expect(s.output()).not.toMatch(/coap\.received/)
    expect(s.output()).not.toContain(s.token)
  })
  it('--log-level debug --log-format json: JSON lines, each request and response with MID, token and path', async () => {
    const { s, port } = await served(['--log-level', 'debug', '--log-format', 'json'])
    await register(port, 'log-dev-2')
    await expect.poll(() => s.output()).toMatch(/"event":"device.registered"/)
    const lines = s
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    for (const l of lines) {
      expect(typeof l.time).toBe('string')
      expect(['error', 'info', 'debug']).toContain(l.level)
    }
    const req = lines.find((l) => l.event === 'coap.received' && l.code === '0.02' && l.path === '/rd')
    expect(req).toMatchObject({ level: 'debug', role: 'LwM2M Server', type: 'CON' })
    expect(req?.token).toMatch(/^[0-9a-f]*$/)
    expect(typeof req?.mid).toBe('number')
    expect(typeof req?.peer).toBe('string')
    expect(lines.find((l) => l.event === 'coap.sent' && l.code === '2.01' && l.mid === req?.mid)).toBeTruthy()
    expect(lines.find((l) => l.event === 'device.registered')).toMatchObject({ level: 'info', endpoint: 'log-dev-2' })
  })
  it('bad --log-level / --log-format values are usage errors (exit 2)', async () => {
    const { runCli } = await import('../helpers/cli')
    for (const args of [['--log-level', 'loud'], ['--log-format', 'xml']]) {
      const r = runCli(['serve', ...args])
      expect(r.status).toBe(2)
      expect(r.stderr).toMatch(new RegExp(`${args[0]} must be one of`))
    }
  })
})

describe('issue 12 item 21: the logger', () => {
  it('drops lines below its level, and says whether a level is on (so callers can skip building fields)', () => {
    const out: string[] = []
    const log = createLogger({ level: 'info', format: 'text', write: (l) => out.push(l), now: () => new Date(0) })
    log.debug('x', { a: 1 })
    log.info('device.registered', { endpoint: 'a b', n: 3, skipped: undefined })
    log.error('coap.handler_error', { detail: 'boom' })
    expect(log.enabled('debug')).toBe(false)
    expect(out).toEqual([
      '1970-01-01T00:00:00.000Z INFO device.registered endpoint="a b" n=3',
      '1970-01-01T00:00:00.000Z ERROR coap.handler_error detail=boom'
    ])
  })
  it('JSON format: one object per line, fields after time, level and event', () => {
    const out: string[] = []
    const log = createLogger({ level: 'debug', format: 'json', write: (l) => out.push(l), now: () => new Date(0) })
    log.debug('coap.sent', { code: '2.05', mid: 7 })
    expect(out).toEqual(['{"time":"1970-01-01T00:00:00.000Z","level":"debug","event":"coap.sent","code":"2.05","mid":7}'])
  })
})
