// SPDX-License-Identifier: Apache-2.0
// One pending confirmation at a time for the device page (issue 13 item 1). Views call
// `confirmDanger`; DangerConfirm.vue shows it and settles the promise.
import { shallowRef } from 'vue'
import { useDeviceSession } from '../../stores/useDeviceSession'
import { confirmTitle, dangerFor, type DangerRule } from './dangerous-actions'

export interface PendingConfirm {
  readonly rule: DangerRule
  readonly endpoint: string
  readonly path: string
  readonly title: string
  readonly settle: (ok: boolean, dontAskAgain: boolean) => void
}

export const pendingConfirm = shallowRef<PendingConfirm | null>(null)

/** Resolves true when the action may go: harmless, skipped for this device, or confirmed. */
export function confirmDanger(operation: string, endpoint: string, path: string): Promise<boolean> {
  const rule = dangerFor(operation, path)
  const session = useDeviceSession()
  if (!rule || session.noConfirm.has(endpoint)) return Promise.resolve(true)
  // Focus goes back where it was when the dialog closes (item 8).
  const back = document.activeElement instanceof HTMLElement ? document.activeElement : null
  return new Promise((resolve) => {
    pendingConfirm.value = {
      rule,
      endpoint,
      path,
      title: confirmTitle(rule, endpoint, path),
      settle: (ok, dontAskAgain) => {
        if (ok && dontAskAgain) session.noConfirm.add(endpoint)
        pendingConfirm.value = null
        resolve(ok)
        setTimeout(() => back?.focus(), 0)
      }
    }
  })
}
