// A raw WebSocket client for tests: sends exact frames and collects every reply and event.
import WebSocket from 'ws'
import { WS_SUBPROTOCOL, WS_TOKEN_PREFIX } from '../../src-main/contract/wire'

export interface RawClient {
  ws: WebSocket
  send(text: string | Buffer): void
  /** Resolves with the next message that satisfies `match`. */
  next(match?: (msg: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>
  call(method: string, params?: unknown): Promise<Record<string, unknown>>
  close(): void
}

export function rpcUrl(baseUrl: string): string {
  return baseUrl.replace(/^http/, 'ws').replace(/\/?$/, '/rpc')
}

export function connect(baseUrl: string, token: string, headers: Record<string, string> = {}): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(rpcUrl(baseUrl), [WS_SUBPROTOCOL, WS_TOKEN_PREFIX + token], { headers })
    const inbox: Record<string, unknown>[] = []
    const waiters: { match: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }[] = []
    let id = 100
    ws.on('message', (d) => {
      const msg = JSON.parse(d.toString()) as Record<string, unknown>
      const w = waiters.findIndex((x) => x.match(msg))
      if (w >= 0) waiters.splice(w, 1)[0]?.resolve(msg)
      else inbox.push(msg)
    })
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    ws.on('error', reject)
    ws.on('open', () => {
      const client: RawClient = {
        ws,
        send: (t) => ws.send(t),
        next(match = () => true, timeoutMs = 5000) {
          const i = inbox.findIndex(match)
          if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0] as Record<string, unknown>)
          return new Promise((res, rej) => {
            const t = setTimeout(() => rej(new Error('no matching message')), timeoutMs)
            waiters.push({ match, resolve: (m) => (clearTimeout(t), res(m)) })
          })
        },
        call(method, params) {
          const myId = id++
          ws.send(JSON.stringify({ jsonrpc: '2.0', id: myId, method, params }))
          return client.next((m) => m.id === myId)
        },
        close: () => ws.close()
      }
      resolve(client)
    })
  })
}
