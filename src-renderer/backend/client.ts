// SPDX-License-Identifier: Apache-2.0
// The renderer's one way to the main process. Views and stores use this interface and never
// learn whether IPC or a WebSocket carries it.
import type { CaptureImportResult } from '@contract/capture'
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
  /** Adds a capture file the user picked (uploaded to headless; by its path in Electron). */
  importCapture(file: File, secrets: CaptureSecrets): Promise<CaptureImportResult>
  /**
   * Saves the capture (or what `filter` matches): a browser download in headless, the save dialog
   * in Electron. Resolves with where it went, or null when the user cancelled the dialog.
   */
  exportCapture(format: 'pcapng' | 'pcap', filter: string): Promise<string | null>
}

/** DTLS secrets for an imported capture. */
export interface CaptureSecrets {
  /** NSS key log (CLIENT_RANDOM lines). */
  readonly keylog?: Blob
  /** "IDENTITY:HEXKEY" each. */
  readonly psk?: readonly string[]
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
