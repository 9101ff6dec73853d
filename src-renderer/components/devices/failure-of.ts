// SPDX-License-Identifier: Apache-2.0
// A thrown call error → the plain sentence and hint of request-failure.ts, with the device's facts.
import type { DeviceDetail } from '@contract/devices'
import { BackendError } from '../../backend'
import { plainFailure, type PlainFailure } from './request-failure'

export function failureOf(e: unknown, device: DeviceDetail | null): PlainFailure {
  const input = e instanceof BackendError ? { code: e.code, message: e.message, details: e.details } : { message: e instanceof Error ? e.message : String(e) }
  return plainFailure(input, device)
}
