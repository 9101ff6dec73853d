// SPDX-License-Identifier: Apache-2.0
// The headless carrier: JSON-RPC 2.0 over one WebSocket, reconnecting with backoff. Calls made
// while disconnected wait for the connection; calls in flight when it drops fail with a clear error.
import type { ContractError } from '@contract/errors'
import { WS_PATH, WS_SUBPROTOCOL, WS_TOKEN_PREFIX } from '@contract/wire'
import { downloadCapture, uploadCapture } from './capture-transfer'
import { BackendError, type BackendClient, type ConnectionState } from './client'

interface Pending {
  resolve(v: unknown): void
  reject(e: Error): void
  /** The request text while it waits for a connection; null once sent. */
  unsent: string | null
}

export function createWsClient(token: string, location: Location = window.location): BackendClient {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${WS_PATH}`
  const pending = new Map<number, Pending>()
  const eventListeners = new Map<string, Set<(p: unknown) => void>>()
  const stateListeners = new Set<(s: ConnectionState, detail: string) => void>()
  let state: ConnectionState = 'connecting'
  let detail = url
  let ws: WebSocket | null = null
  let nextId = 1
  let retry = 0

  const setState = (s: ConnectionState, d: string) => {
    state = s
    detail = d
    for (const l of stateListeners) l(s, d)
  }

  const connect = () => {
    setState('connecting', url)
    const socket = new WebSocket(url, [WS_SUBPROTOCOL, WS_TOKEN_PREFIX + token])
    ws = socket
    let opened = false
    socket.onopen = () => {
      opened = true
      retry = 0
      setState('connected', url)
      for (const p of pending.values())
        if (p.unsent !== null) {
          socket.send(p.unsent)
          p.unsent = null
        }
    }
    socket.onmessage = (ev: MessageEvent<string>) => {
      let msg: { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message: string; data?: { code: string; details?: unknown } } }
      try {
        msg = JSON.parse(ev.data)
      } catch {
        return
      }
      if (typeof msg.method === 'string') {
        for (const l of eventListeners.get(msg.method) ?? []) l(msg.params)
        return
      }
      const p = typeof msg.id === 'number' ? pending.get(msg.id) : undefined
      if (!p) return
      pending.delete(msg.id as number)
      if (msg.error) {
        const e: ContractError = {
          code: (msg.error.data?.code ?? 'rpc.internal') as ContractError['code'],
          message: msg.error.message,
          details: msg.error.data?.details
        }
        p.reject(new BackendError(e))
      } else p.resolve(msg.result)
    }
    socket.onclose = (ev) => {
      // Calls already on the wire may or may not have run: fail them. Unsent ones wait for the next connection.
      for (const [id, p] of pending)
        if (p.unsent === null) {
          p.reject(new Error('connection to the Workbench was lost'))
          pending.delete(id)
        }
      // A refused upgrade closes before open: most likely a wrong or expired token.
      if (!opened && retry >= 2) {
        setState('unauthorized', 'the server refused this page’s token: open the URL that "lwm2m-wb serve" printed')
      } else setState('disconnected', ev.reason || 'connection closed')
      retry++
      setTimeout(connect, Math.min(10_000, 250 * 2 ** Math.min(retry, 6)))
    }
  }
  if (token) connect()
  else setState('unauthorized', 'this page has no access token: open the URL that "lwm2m-wb serve" printed (it ends in #token=…)')

  return {
    carrier: 'websocket',
    call(method, params) {
      const id = nextId++
      const text = JSON.stringify({ jsonrpc: '2.0', id, method, params })
      return new Promise((resolve, reject) => {
        const open = ws !== null && ws.readyState === WebSocket.OPEN
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, unsent: open ? null : text })
        if (open) ws?.send(text)
      })
    },
    on(event, listener) {
      let set = eventListeners.get(event)
      if (!set) eventListeners.set(event, (set = new Set()))
      set.add(listener as (p: unknown) => void)
      return () => set.delete(listener as (p: unknown) => void)
    },
    onState(listener) {
      stateListeners.add(listener)
      listener(state, detail)
      return () => stateListeners.delete(listener)
    },
    // Files go over HTTP: a JSON-RPC request is capped at 1 MiB.
    importCapture: (file, secrets) => uploadCapture(token, file, secrets),
    async exportCapture(format, filter) {
      await downloadCapture(token, format, filter)
      return `the browser's downloads as capture.${format}`
    }
  }
}
