// SPDX-License-Identifier: Apache-2.0
// JSON-RPC 2.0 over one text frame: parses, checks the envelope, dispatches and answers. Every
// fault becomes a JSON-RPC error response; nothing here throws to the socket.
import { JSON_RPC, jsonRpcCodeFor, type ContractError } from '../contract/errors'
import type { CallContext, Dispatcher } from '../services/dispatcher'

/** Requests above this size get a clear -32600 error and the connection stays open. */
export const MAX_REQUEST_BYTES = 1024 * 1024
/** A batch may hold at most this many calls. */
export const MAX_BATCH = 100

type Id = string | number | null

interface ErrorObject {
  code: number
  message: string
  data?: { code: string; details?: unknown }
}

type Response = { jsonrpc: '2.0'; id: Id; result: unknown } | { jsonrpc: '2.0'; id: Id; error: ErrorObject }

function errorResponse(id: Id, e: ContractError): Response {
  return {
    jsonrpc: '2.0',
    id,
    error: { code: jsonRpcCodeFor(e.code), message: e.message, data: { code: e.code, details: e.details } }
  }
}

const isId = (v: unknown): v is Id => v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))

async function handleOne(req: unknown, dispatcher: Dispatcher, ctx: CallContext): Promise<Response | null> {
  if (typeof req !== 'object' || req === null || Array.isArray(req))
    return errorResponse(null, { code: 'rpc.invalid_request', message: 'a request must be a JSON object' })
  const r = req as Record<string, unknown>
  const hasId = 'id' in r
  const id: Id = hasId && isId(r.id) ? r.id : null
  if (r.jsonrpc !== '2.0')
    return errorResponse(id, { code: 'rpc.invalid_request', message: 'missing "jsonrpc": "2.0"' })
  if (hasId && !isId(r.id))
    return errorResponse(null, { code: 'rpc.invalid_request', message: '"id" must be a string, a number or null' })
  if (typeof r.method !== 'string')
    return errorResponse(id, { code: 'rpc.invalid_request', message: '"method" must be a string' })
  if ('params' in r && (typeof r.params !== 'object' || r.params === null || Array.isArray(r.params))) {
    const e: ContractError = { code: 'rpc.invalid_params', message: 'params must be an object (by-name)' }
    return hasId ? errorResponse(id, e) : null
  }
  const outcome = await dispatcher.dispatch(r.method, r.params, ctx)
  if (!hasId) return null // a notification: run it, answer nothing (JSON-RPC 2.0 §4.1)
  return outcome.ok ? { jsonrpc: '2.0', id, result: outcome.result } : errorResponse(id, outcome.error)
}

/** Answers one WebSocket text frame; null when nothing is to be sent back. */
export async function handleJsonRpc(text: string, dispatcher: Dispatcher, ctx: CallContext): Promise<string | null> {
  const size = Buffer.byteLength(text)
  if (size > MAX_REQUEST_BYTES)
    return JSON.stringify(
      errorResponse(null, {
        code: 'rpc.too_large',
        message: `request of ${size} bytes exceeds the limit of ${MAX_REQUEST_BYTES} bytes`,
        details: { size, limit: MAX_REQUEST_BYTES }
      })
    )
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (e) {
    return JSON.stringify(
      errorResponse(null, { code: 'rpc.parse_error', message: `not JSON: ${(e as Error).message}` })
    )
  }
  if (Array.isArray(parsed)) {
    if (parsed.length === 0)
      return JSON.stringify(errorResponse(null, { code: 'rpc.invalid_request', message: 'empty batch' }))
    if (parsed.length > MAX_BATCH)
      return JSON.stringify(
        errorResponse(null, { code: 'rpc.invalid_request', message: `a batch holds at most ${MAX_BATCH} calls` })
      )
    const out = (await Promise.all(parsed.map((r) => handleOne(r, dispatcher, ctx)))).filter((x) => x !== null)
    return out.length > 0 ? JSON.stringify(out) : null
  }
  const one = await handleOne(parsed, dispatcher, ctx)
  return one ? JSON.stringify(one) : null
}

export function notification(method: string, params: unknown): string {
  return JSON.stringify({ jsonrpc: '2.0', method, params })
}

export { JSON_RPC }
