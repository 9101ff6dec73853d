// SPDX-License-Identifier: Apache-2.0
// Picks the carrier once: the Electron preload's bridge when present, else the headless WebSocket
// with the token from the URL fragment (kept for this tab in sessionStorage, then removed from the
// address bar so it is not copied around by accident).
import { inject, type App, type InjectionKey } from 'vue'
import type { BackendClient } from './client'
import { createIpcClient } from './ipc-client'
import { createWsClient } from './ws-client'

export { BackendError, errorText, type BackendClient, type ConnectionState } from './client'

const TOKEN_KEY = 'lwm2m-wb.token'
export const BACKEND: InjectionKey<BackendClient> = Symbol('backend')

export function takeToken(): string {
  const m = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(window.location.hash)
  if (m?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, m[1])
    history.replaceState(history.state, '', window.location.pathname + window.location.search)
    return m[1]
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? ''
}

export function createBackend(): BackendClient {
  if (window.workbench) return createIpcClient(window.workbench)
  return createWsClient(takeToken())
}

export function installBackend(app: App, backend: BackendClient): void {
  app.provide(BACKEND, backend)
}

export function useBackend(): BackendClient {
  const b = inject(BACKEND)
  if (!b) throw new Error('backend not installed')
  return b
}
