// SPDX-License-Identifier: Apache-2.0
// A one-shot JSON-RPC 2.0 call to a running instance over its WebSocket, for `lwm2m-wb call`.
import WebSocket from 'ws'
import { SUBPROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../headless/token'
import { CommandError } from './usage-error'

export interface RpcFailure {
  code: number
  message: string
  data?: { code?: string; details?: unknown }
}

export type RpcReply = { ok: true; result: unknown } | { ok: false; error: RpcFailure }

/** ws://host:port/rpc from the instance's http base URL (a #token fragment is ignored). */
export function rpcUrl(baseUrl: string): string {
  const u = new URL(baseUrl)
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new CommandError(`--url must be http(s)://, got ${baseUrl}`, 2)
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:'
  u.pathname = '/rpc'
  u.hash = ''
  u.search = ''
  return u.toString()
}

export function callRemote(baseUrl: string, token: string, method: string, params: unknown, timeoutMs = 30_000): Promise<RpcReply> {
  return new Promise((resolve, reject) => {
    // Serialized before connecting: a throw here rejects the promise; inside the 'open' handler it
    // would escape as an uncaught exception with a stack trace.
    const frame = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })
    const ws = new WebSocket(rpcUrl(baseUrl), [SUBPROTOCOL, TOKEN_PROTOCOL_PREFIX + token])
    const timer = setTimeout(() => {
      ws.terminate()
      reject(new CommandError(`no answer from ${baseUrl} within ${timeoutMs / 1000} s`))
    }, timeoutMs)
    const done = (f: () => void) => {
      clearTimeout(timer)
      f()
      ws.close()
    }
    ws.on('unexpected-response', (_req, res) => {
      const why =
        res.statusCode === 401
          ? 'the instance refused the token (401 Unauthorized)'
          : `the instance refused the connection (${res.statusCode} ${res.statusMessage ?? ''})`.trim()
      clearTimeout(timer)
      ws.terminate()
      reject(new CommandError(why))
    })
    ws.on('error', (e) => {
      clearTimeout(timer)
      reject(new CommandError(`cannot reach ${baseUrl}: ${(e as NodeJS.ErrnoException).code ?? e.message}`))
    })
    ws.on('open', () => ws.send(frame))
    ws.on('message', (data) => {
      let msg: { id?: unknown; result?: unknown; error?: RpcFailure }
      try {
        msg = JSON.parse(data.toString())
      } catch {
        return done(() => reject(new CommandError('the instance sent a reply that is not JSON')))
      }
      if (msg.id !== 1 && msg.id !== null) return // an event notification, not our answer
      if (msg.error) done(() => resolve({ ok: false, error: msg.error as RpcFailure }))
      else done(() => resolve({ ok: true, result: msg.result }))
    })
  })
}
