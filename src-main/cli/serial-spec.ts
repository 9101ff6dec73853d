// SPDX-License-Identifier: Apache-2.0
// `serve --serial PATH[:BAUD][:slipmux|raw]`: a port to open at start. Read from the right, so a
// path holding colons still works as long as it does not end in ":<digits>" or a framing word.
import { UsageError } from './usage-error'

export interface SerialSpec {
  readonly path: string
  readonly baudRate: number
  readonly framing: 'slipmux' | 'raw'
}

/** 115200 8N1 is what slipmux assumes for interoperability (draft §2). */
export const DEFAULT_BAUD = 115200

export function parseSerialSpec(spec: string): SerialSpec {
  const parts = spec.split(':')
  let framing: 'slipmux' | 'raw' = 'slipmux'
  let baudRate = DEFAULT_BAUD
  const last = parts[parts.length - 1]
  if (parts.length > 1 && (last === 'slipmux' || last === 'raw')) {
    framing = last
    parts.pop()
  }
  const baud = parts[parts.length - 1]
  if (parts.length > 1 && baud !== undefined && /^[0-9]+$/.test(baud)) {
    baudRate = Number(baud)
    if (baudRate < 50 || baudRate > 4_000_000) throw new UsageError(`--serial: the baud rate must be 50..4000000, got ${baud}`)
    parts.pop()
  }
  const path = parts.join(':')
  if (path === '') throw new UsageError(`--serial needs a port path (PATH[:BAUD][:slipmux|raw]), got ${JSON.stringify(spec)}`)
  return { path, baudRate, framing }
}
