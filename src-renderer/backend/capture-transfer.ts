// SPDX-License-Identifier: Apache-2.0
// Capture files to and from a headless instance over HTTP (JSON-RPC requests are capped at
// 1 MiB): POST /capture/import with the file as body, GET /capture/export, both with the token.
// Electron has no HTTP server; there the main process opens files by path (capture.import/export).
import { takeToken } from './index'

export interface UploadResult {
  readonly frames: number
  readonly packets: number
  readonly skipped: number
  readonly stop: { readonly offset: number; readonly message: string } | null
}

async function failure(r: Response): Promise<Error> {
  const body = (await r.json().catch(() => null)) as { error?: { message?: string } } | null
  return new Error(body?.error?.message ?? `HTTP ${r.status}`)
}

export async function uploadCapture(file: Blob): Promise<UploadResult> {
  const r = await fetch('/capture/import', { method: 'POST', body: file, headers: { Authorization: `Bearer ${takeToken()}` } })
  if (!r.ok) throw await failure(r)
  return (await r.json()) as UploadResult
}

/** Downloads the capture (or what `filter` matches) as a file the browser saves. */
export async function downloadCapture(format: 'pcapng' | 'pcap', filter: string): Promise<void> {
  const q = new URLSearchParams({ format, ...(filter ? { filter } : {}) })
  const r = await fetch(`/capture/export?${q}`, { headers: { Authorization: `Bearer ${takeToken()}` } })
  if (!r.ok) throw await failure(r)
  const url = URL.createObjectURL(await r.blob())
  const a = document.createElement('a')
  a.href = url
  a.download = `capture.${format}`
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
