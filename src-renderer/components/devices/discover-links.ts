// SPDX-License-Identifier: Apache-2.0
// A Discover answer (CoRE Link Format, C §5.1.2 attributes) as rows to show beside the tree
// (issue 13 item 6): each path the device listed, with its attributes.

export interface DiscoveredLink {
  readonly path: string
  /** "pmin=10", "dim=2", "ver=1.1", … in the order given. */
  readonly attributes: readonly string[]
}

/** Splits at commas and semicolons outside quotes. */
function splitOutsideQuotes(text: string, sep: string): string[] {
  const out: string[] = []
  let cur = ''
  let quoted = false
  for (const ch of text) {
    if (ch === '"') quoted = !quoted
    if (ch === sep && !quoted) {
      out.push(cur)
      cur = ''
    } else cur += ch
  }
  if (cur.trim()) out.push(cur)
  return out
}

export function parseLinks(text: string): DiscoveredLink[] {
  return splitOutsideQuotes(text.trim(), ',')
    .map((item): DiscoveredLink | null => {
      const [target = '', ...params] = splitOutsideQuotes(item.trim(), ';')
      const m = /^<([^>]*)>$/.exec(target.trim())
      return m ? { path: m[1] as string, attributes: params.map((p) => p.trim()).filter(Boolean) } : null
    })
    .filter((l): l is DiscoveredLink => l !== null)
}

export function hexToText(hex: string): string {
  const bytes = new Uint8Array(hex.length / 2)
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return new TextDecoder().decode(bytes)
}
