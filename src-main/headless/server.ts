// SPDX-License-Identifier: Apache-2.0
// Headless mode: one HTTP server serves the built UI and, on /rpc, the contract as JSON-RPC 2.0
// over WebSocket. Every WebSocket must present the instance token; browsers must also come from
// our own origin. Binds 127.0.0.1 unless told otherwise, and the token stays mandatory anyway.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import type { Workbench } from '../services/workbench'
import { handleCaptureTransfer } from './capture-transfer'
import { allowedHostNames, hostRefusal } from './host-check'
import { handleJsonRpc, notification } from './json-rpc'
import { SECURITY_HEADERS, serveStatic } from './static-files'
import { newToken, SUBPROTOCOL, TOKEN_PROTOCOL_PREFIX, tokenMatches } from './token'

/** Frames above this are cut off by the WebSocket layer itself (close 1009); below it, json-rpc.ts
 * answers oversized requests with an error and keeps the connection. */
export const HARD_FRAME_LIMIT = 16 * 1024 * 1024
/** A client that lets this much pile up unread is disconnected rather than grow our memory. */
const MAX_BUFFERED = 32 * 1024 * 1024

export interface HeadlessOptions {
  readonly workbench: Workbench
  readonly rendererDir: string
  readonly host?: string
  readonly port?: number
  readonly token?: string
}

export interface HeadlessServer {
  /** Base URL without the token. */
  readonly baseUrl: string
  /** URL to open: the token travels in the fragment, which browsers never send to the server. */
  readonly uiUrl: string
  readonly token: string
  readonly port: number
  readonly host: string
  close(): Promise<void>
}

export async function startHeadless(opts: HeadlessOptions): Promise<HeadlessServer> {
  const host = opts.host ?? '127.0.0.1'
  const token = opts.token ?? newToken()
  const { workbench } = opts
  const clients = new Set<WebSocket>()

  // Filled in once listening: the port is part of every allowed Host.
  let port = 0
  const hostNames = allowedHostNames(host)
  const http: Server = createServer((req, res) => {
    const misdirected = hostRefusal(req.headers.host, hostNames, port)
    if (misdirected) {
      res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS }).end(misdirected + '\n')
      return
    }
    if (new URL(req.url ?? '/', 'http://x').pathname === '/rpc') {
      res.writeHead(426, { 'Content-Type': 'text/plain', ...SECURITY_HEADERS }).end('WebSocket upgrade required')
      return
    }
    if (handleCaptureTransfer(req, res, workbench.capture, token)) return
    serveStatic(opts.rendererDir, req, res)
  })
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: HARD_FRAME_LIMIT,
    handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false)
  })

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const misdirected = hostRefusal(req.headers.host, hostNames, port)
    if (misdirected) {
      const body = Buffer.from(misdirected + '\n')
      socket.end(
        `HTTP/1.1 421 Misdirected Request\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\n\r\n${body}`
      )
      return
    }
    const refusal = checkUpgrade(req, token)
    if (refusal) {
      socket.end(`HTTP/1.1 ${refusal.status} ${refusal.reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })

  wss.on('connection', (ws: WebSocket) => {
    clients.add(ws)
    const unsubscribe = workbench.events.subscribe((name, payload) => {
      if (ws.readyState !== ws.OPEN) return
      if (ws.bufferedAmount > MAX_BUFFERED) return void ws.close(1013, 'client too slow for events')
      ws.send(notification(name, payload))
    })
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.send(
          JSON.stringify({
            jsonrpc: '2.0',
            id: null,
            error: { code: -32600, message: 'binary frames are not accepted; send JSON-RPC as text', data: { code: 'rpc.invalid_request' } }
          })
        )
        return
      }
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString('utf8')
      handleJsonRpc(text, workbench.dispatcher, { carrier: 'websocket' }).then(
        (reply) => {
          if (reply !== null && ws.readyState === ws.OPEN) ws.send(reply)
        },
        () => ws.close(1011, 'internal error')
      )
    })
    ws.on('error', () => ws.terminate())
    ws.on('close', () => {
      unsubscribe()
      clients.delete(ws)
    })
  })

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(opts.port ?? 0, host, () => {
      http.off('error', reject)
      resolve()
    })
  })
  const address = http.address() as AddressInfo
  port = address.port
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : urlHost
  const baseUrl = `http://${shownHost}:${address.port}/`

  return {
    baseUrl,
    uiUrl: `${baseUrl}#token=${token}`,
    token,
    port: address.port,
    host,
    close: async () => {
      for (const ws of clients) ws.close(1001, 'server shutting down')
      wss.close()
      await new Promise<void>((resolve) => {
        http.close(() => resolve())
        http.closeAllConnections()
      })
    }
  }
}

/** Why an upgrade is refused, or null to accept it. */
function checkUpgrade(req: IncomingMessage, token: string): { status: number; reason: string } | null {
  if (new URL(req.url ?? '/', 'http://x').pathname !== '/rpc') return { status: 404, reason: 'Not Found' }
  // Browsers always send Origin; it must be this server itself (stops other sites' pages, even with
  // a leaked token). Non-browser clients (the CLI) send none and rely on the token alone.
  const origin = req.headers.origin
  if (origin !== undefined) {
    let originHost: string
    try {
      originHost = new URL(origin).host
    } catch {
      return { status: 403, reason: 'Forbidden' }
    }
    if (originHost !== req.headers.host) return { status: 403, reason: 'Forbidden' }
  }
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim())
  const fromProtocol = offered.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))?.slice(TOKEN_PROTOCOL_PREFIX.length)
  const auth = req.headers.authorization
  const fromHeader = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined
  if (!tokenMatches(token, fromProtocol ?? fromHeader)) return { status: 401, reason: 'Unauthorized' }
  if (!offered.includes(SUBPROTOCOL)) return { status: 400, reason: 'Bad Request' }
  return null
}
