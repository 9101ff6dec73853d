// The headless carrier on a real loopback socket: the token and Origin checks, and bad input of
// every kind getting a clear JSON-RPC error while the server keeps serving.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { hostname, networkInterfaces } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { WS_SUBPROTOCOL, WS_TOKEN_PREFIX } from '../../src-main/contract/wire'
import { MAX_REQUEST_BYTES } from '../../src-main/headless/json-rpc'
import { HARD_FRAME_LIMIT, startHeadless, type HeadlessServer } from '../../src-main/headless/server'
import { createWorkbench, type Workbench } from '../../src-main/services/workbench'
import { tempDir } from '../helpers/temp-dir'
import { connect, rpcUrl, type RawClient } from '../helpers/ws-rpc'

let dir: ReturnType<typeof tempDir>
let wb: Workbench
let server: HeadlessServer
let client: RawClient

beforeAll(async () => {
  dir = tempDir()
  const ui = join(dir.path, 'ui')
  mkdirSync(join(ui, 'assets'), { recursive: true })
  writeFileSync(join(ui, 'index.html'), '<!doctype html><title>wb</title>')
  writeFileSync(join(ui, 'assets', 'app.js'), 'console.log(1)')
  writeFileSync(join(dir.path, 'secret.txt'), 'do not serve')
  wb = createWorkbench({ dataDir: join(dir.path, 'data'), log: () => {} })
  server = await startHeadless({ workbench: wb, rendererDir: ui, port: 0 })
  client = await connect(server.baseUrl, server.token)
})
afterAll(async () => {
  client.close()
  await server.close()
  await wb.close()
  dir.cleanup()
})

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, server.baseUrl), { headers }, (res) => {
      let body = ''
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** Resolves with the HTTP status of a refused upgrade, or 101 when the socket opened. */
function upgradeStatus(protocols: string[], headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(rpcUrl(server.baseUrl), protocols, { headers })
    ws.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0))
    ws.on('open', () => (ws.close(), resolve(101)))
    ws.on('error', () => resolve(-1))
  })
}

async function stillServes(): Promise<void> {
  const r = await client.call('system.info', {})
  expect((r.result as { version: string }).version).toMatch(/^\d+\.\d+\.\d+/)
}

describe('headless HTTP', () => {
  it('binds 127.0.0.1 and puts the token only in the URL fragment', () => {
    expect(server.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    expect(server.uiUrl).toBe(`${server.baseUrl}#token=${server.token}`)
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })
  it('serves the UI with a strict CSP and no inline script or style allowance', async () => {
    const r = await get('/')
    expect(r.status).toBe(200)
    const csp = String(r.headers['content-security-policy'])
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe-inline')
    expect(csp).not.toContain('unsafe-eval')
    expect(r.headers['x-content-type-options']).toBe('nosniff')
  })
  it('falls back to index.html for app routes but 404s missing assets', async () => {
    expect((await get('/settings')).body).toContain('<title>wb</title>')
    expect((await get('/assets/missing.js')).status).toBe(404)
    expect((await get('/assets/app.js')).body).toBe('console.log(1)')
  })
  it('never serves files outside the UI folder', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const r = await get(p)
      expect(r.body).not.toContain('do not serve')
    }
  })
})

describe('issue 12 item 20: the Host header is checked against DNS rebinding', () => {
  const port = () => new URL(server.baseUrl).port
  it('loopback names and addresses are always allowed, with the port', async () => {
    for (const h of ['localhost', '127.0.0.1', '[::1]', 'LOCALHOST']) expect((await get('/', { Host: `${h}:${port()}` })).status, h).toBe(200)
  })
  it('any other name, a wrong port, or (bound to loopback) this machine\'s own name is refused with 421 and a reason', async () => {
    for (const h of [`evil.example:${port()}`, `127.0.0.1:${Number(port()) + 1}`, '127.0.0.1', `${hostname()}:${port()}`]) {
      const r = await get('/', { Host: h })
      expect(r.status, h).toBe(421)
      expect(r.headers['content-type']).toMatch(/^text\/plain/)
      expect(r.body).toContain('Host')
      expect(r.body).not.toContain('<title>wb</title>')
    }
  })
  it('the WebSocket upgrade is refused the same way, even with the right token', async () => {
    expect(await upgradeStatus([WS_SUBPROTOCOL, WS_TOKEN_PREFIX + server.token], { Host: `evil.example:${port()}` })).toBe(421)
    expect(await upgradeStatus([WS_SUBPROTOCOL, WS_TOKEN_PREFIX + server.token], { Host: `localhost:${port()}` })).toBe(101)
  })
  it('bound to a non-loopback --host, the machine\'s interface addresses and hostname are allowed too', async () => {
    const wide = await startHeadless({ workbench: wb, rendererDir: join(dir.path, 'ui'), host: '0.0.0.0', port: 0 })
    try {
      const p = new URL(wide.baseUrl).port
      const at = (host: string) =>
        new Promise<number>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port: p, path: '/', headers: { Host: host } }, (res) => (res.resume(), resolve(res.statusCode ?? 0)))
          req.on('error', reject)
          req.end()
        })
      const v4 = Object.values(networkInterfaces()).flat().find((i) => i?.family === 'IPv4' && !i.internal)?.address
      const names = [hostname(), 'localhost', ...(v4 ? [v4] : [])]
      for (const h of names) expect(await at(`${h}:${p}`), h).toBe(200)
      expect(await at(`evil.example:${p}`)).toBe(421)
    } finally {
      await wide.close()
    }
  })
})

describe('headless WebSocket authentication', () => {
  it('refuses a connection without a token (401)', async () => {
    expect(await upgradeStatus([WS_SUBPROTOCOL])).toBe(401)
  })
  it('refuses a wrong token (401), also one of the right length', async () => {
    expect(await upgradeStatus([WS_SUBPROTOCOL, WS_TOKEN_PREFIX + 'nope'])).toBe(401)
    const wrong = server.token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))
    expect(await upgradeStatus([WS_SUBPROTOCOL, WS_TOKEN_PREFIX + wrong])).toBe(401)
  })
  it('refuses a page from another origin even with the right token (403)', async () => {
    expect(await upgradeStatus([WS_SUBPROTOCOL, WS_TOKEN_PREFIX + server.token], { Origin: 'http://evil.example' })).toBe(403)
  })
  it('accepts its own origin with the token, and a Bearer header from non-browser clients', async () => {
    const own = new URL(server.baseUrl).origin
    expect(await upgradeStatus([WS_SUBPROTOCOL, WS_TOKEN_PREFIX + server.token], { Origin: own })).toBe(101)
    expect(await upgradeStatus([WS_SUBPROTOCOL], { Authorization: `Bearer ${server.token}` })).toBe(101)
  })
})

describe('bad input gets a clear JSON-RPC error and the server keeps serving (JSON-RPC 2.0 §5.1)', () => {
  it('malformed JSON → -32700 parse error', async () => {
    client.send('{"jsonrpc": "2.0", "method": ')
    const r = await client.next((m) => m.id === null)
    expect(r.error).toMatchObject({ code: -32700, data: { code: 'rpc.parse_error' } })
    await stillServes()
  })
  it('not a request object → -32600 invalid request', async () => {
    for (const bad of ['42', '"x"', '{"method":"system.info","id":1}', '{"jsonrpc":"2.0","id":2,"method":7}', '[]']) {
      client.send(bad)
      const r = await client.next((m) => 'error' in m)
      expect((r.error as { code: number }).code, bad).toBe(-32600)
    }
    await stillServes()
  })
  it('unknown method → -32601 naming the method', async () => {
    const r = await client.call('devices.format', {})
    expect(r.error).toMatchObject({ code: -32601, data: { code: 'rpc.unknown_method' } })
    expect((r.error as { message: string }).message).toContain('devices.format')
  })
  it('wrong param types → -32602 with the offending field', async () => {
    const r = await client.call('settings.set', { key: ['ui.theme'], value: 'dark' })
    expect(r.error).toMatchObject({ code: -32602, data: { code: 'rpc.invalid_params' } })
    expect((r.error as { message: string }).message).toContain('/key')
    const positional = await client.call('settings.set', ['ui.theme', 'dark'])
    expect((positional.error as { code: number }).code).toBe(-32602)
  })
  it('application errors are -32000 with our string code', async () => {
    const r = await client.call('settings.set', { key: 'ui.theme', value: 'neon' })
    expect(r.error).toMatchObject({ code: -32000, data: { code: 'settings.invalid_value' } })
  })
  it(`a request over ${MAX_REQUEST_BYTES} bytes → -32600 too large, connection kept`, async () => {
    client.send(JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'system.info', params: { pad: 'x'.repeat(MAX_REQUEST_BYTES) } }))
    const r = await client.next((m) => m.id === null && 'error' in m)
    expect(r.error).toMatchObject({ code: -32600, data: { code: 'rpc.too_large' } })
    await stillServes()
  })
  it(`a frame over the hard limit (${HARD_FRAME_LIMIT} bytes) closes only that connection (1009)`, async () => {
    const victim = await connect(server.baseUrl, server.token)
    const closed = new Promise<number>((resolve) => victim.ws.on('close', (code) => resolve(code)))
    victim.send(Buffer.alloc(HARD_FRAME_LIMIT + 1, 0x20).toString())
    expect(await closed).toBe(1009)
    await stillServes()
  })
  it('issue 12 item 16: params nested deeply (5 000 and 300 000 levels) get an error answer, the server lives', async () => {
    for (const depth of [5000, 300_000]) {
      const value = '['.repeat(depth) + ']'.repeat(depth)
      client.send(`{"jsonrpc":"2.0","id":"deep","method":"settings.set","params":{"key":"ui.theme","value":${value}}}`)
      const r = await client.next((m) => m.id === 'deep')
      expect(r.error, String(depth)).toMatchObject({ code: -32602, data: { code: 'rpc.invalid_params' } })
      client.send(`{"jsonrpc":"2.0","id":"deep2","method":"devices.list","params":{"filter":${value}}}`)
      expect((await client.next((m) => m.id === 'deep2')).error).toMatchObject({ code: -32602 })
    }
    await stillServes()
  })
  it('binary frames are refused with a clear error', async () => {
    client.send(Buffer.from([1, 2, 3]))
    const r = await client.next((m) => 'error' in m)
    expect((r.error as { message: string }).message).toContain('binary')
    await stillServes()
  })
  it('a batch answers each call; notifications get no answer', async () => {
    client.send(
      JSON.stringify([
        { jsonrpc: '2.0', id: 'a', method: 'system.info' },
        { jsonrpc: '2.0', method: 'system.info' },
        { jsonrpc: '2.0', id: 'b', method: 'nope.nope' }
      ])
    )
    const r = await client.next((m) => Array.isArray(m))
    const arr = r as unknown as { id: string }[]
    expect(arr.map((x) => x.id)).toEqual(['a', 'b'])
  })
  it('a burst of garbage from many sockets leaves the server answering', async () => {
    const socks = await Promise.all(Array.from({ length: 10 }, () => connect(server.baseUrl, server.token)))
    for (const s of socks) for (let i = 0; i < 50; i++) s.send(String.fromCharCode(...Array.from({ length: 40 }, () => Math.floor(Math.random() * 256))))
    await Promise.all(socks.map((s) => s.next((m) => 'error' in m)))
    socks.forEach((s) => s.close())
    await stillServes()
  })
})
