// SPDX-License-Identifier: Apache-2.0
// The renderer's one way to the main process. Views and stores use this interface and never
// learn whether IPC or a WebSocket carries it.
import type { ContractError, ErrorCode } from '@contract/errors'
import type { EventName, EventPayloads } from '@contract/events'
import type { Method, Params, Result } from '@contract/methods'

export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'unauthorized'

export interface BackendClient {
  /** "ipc" or "websocket": shown in the status bar, never branched on by views. */
  readonly carrier: 'ipc' | 'websocket'
  call<M extends Method>(method: M, params: Params<M>): Promise<Result<M>>
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void
  /** Connection state changes (IPC is always connected). */
  onState(listener: (state: ConnectionState, detail: string) => void): () => void
}

/** A contract error, thrown to the caller with its code intact. */
export class BackendError extends Error {
  readonly code: ErrorCode
  readonly details: unknown
  constructor(error: ContractError) {
    super(error.message)
    this.name = 'BackendError'
    this.code = error.code
    this.details = error.details
  }
}

/** One line for people: the contract code (when there is one) and the message. */
export function errorText(e: unknown): string {
  return e instanceof BackendError ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e)
}
