// SPDX-License-Identifier: Apache-2.0
// Errors cross the contract as data: Electron keeps only the message of a thrown error, and a
// WebSocket client needs a stable code to act on. JSON-RPC carries these as -32000 + data.

export type ErrorCode =
  | 'rpc.unknown_method'
  | 'rpc.invalid_params'
  | 'rpc.invalid_request'
  | 'rpc.parse_error'
  | 'rpc.too_large'
  | 'rpc.internal'
  | 'settings.unknown_key'
  | 'settings.invalid_value'
  | 'models.not_found'
  | 'models.folder_not_found'
  | 'devices.not_registered'
  | 'devices.not_found'
  | 'devices.invalid_request'
  | 'devices.cancelled'
  | 'devices.timeout'
  | 'devices.unreachable'
  | 'server.not_running'
  | 'bootstrap.not_found'
  | 'bootstrap.invalid_config'
  | 'security.invalid_credential'
  | 'security.identity_taken'
  | 'serial.unavailable'
  | 'serial.open_failed'
  | 'serial.not_open'
  | 'serial.invalid_request'
  | 'serial.control_failed'
  | 'serial.provision_failed'
  | 'cards.unavailable'
  | 'cards.invalid_request'
  | 'cards.failed'
  | 'capture.invalid_filter'
  | 'capture.not_found'
  | 'capture.file'

export interface ContractError {
  readonly code: ErrorCode
  readonly message: string
  readonly details?: unknown
}

/** What every call returns: the result, or an error as data. */
export type Outcome<T> = { readonly ok: true; readonly result: T } | { readonly ok: false; readonly error: ContractError }

/** Thrown inside services to end a call with a specific contract error. */
export class ServiceError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown
  ) {
    super(message)
    this.name = 'ServiceError'
  }
}

/** JSON-RPC 2.0 error codes used by the WebSocket carrier (DESIGN.md, Interfaces). */
export const JSON_RPC = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL: -32603,
  APPLICATION: -32000
} as const

/** Protocol faults keep their standard JSON-RPC code; every application error is -32000. */
export function jsonRpcCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'rpc.parse_error':
      return JSON_RPC.PARSE_ERROR
    case 'rpc.invalid_request':
    case 'rpc.too_large':
      return JSON_RPC.INVALID_REQUEST
    case 'rpc.unknown_method':
      return JSON_RPC.METHOD_NOT_FOUND
    case 'rpc.invalid_params':
      return JSON_RPC.INVALID_PARAMS
    default:
      return JSON_RPC.APPLICATION
  }
}
