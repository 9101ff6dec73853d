// SPDX-License-Identifier: Apache-2.0
// Capture files to and from a headless instance over HTTP (JSON-RPC requests are capped at
// 1 MiB): POST /capture/import with the file as body (or, with DTLS secrets, as the `file` part of
// a form with `keylog` and `psk` parts: secrets travel in the body, never in the URL),
// GET /capture/export, both with the token. Electron has no HTTP server; there the main process
// opens files by path (capture.import/export, see ipc-client.ts).
import type { CaptureImportResult } from '@contract/capture'
import type { CaptureSecrets } from './client'

async function failure(r: Response): Promise<Error> {
  const body = (await r.json().catch(() => null)) as { error?: { message?: string } } | null
  return new Error(body?.error?.message ?? `HTTP ${r.status}`)
}

export async function uploadCapture(token: string, file: Blob, secrets: CaptureSecrets = {}): Promise<CaptureImportResult> {
  let body: Blob | FormData = file
  if (secrets.keylog || secrets.psk?.length) {
    const form = new FormData()
    // Secrets first: the server has them before the (possibly large) capture streams in.
    if (secrets.keylog) form.append('keylog', secrets.keylog)
    for (const p of secrets.psk ?? []) form.append('psk', p)
    form.append('file', file)
    body = form
  }
  const r = await fetch('/capture/import', { method: 'POST', body, headers: { Authorization: `Bearer ${token}` } })
  if (!r.ok) throw await failure(r)
  return (await r.json()) as CaptureImportResult
}

/** Downloads the capture (or what `filter` matches) as a file the browser saves. */
export async function downloadCapture(token: string, format: 'pcapng' | 'pcap', filter: string): Promise<void> {
  const q = new URLSearchParams({ format, ...(filter ? { filter } : {}) })
  const r = await fetch(`/capture/export?${q}`, { headers: { Authorization: `Bearer ${token}` } })
  if (!r.ok) throw await failure(r)
  const url = URL.createObjectURL(await r.blob())
  const a = document.createElement('a')
  a.href = url
  a.download = `capture.${format}`
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
