// SPDX-License-Identifier: Apache-2.0
// An annotated field tree: what the inspector shows for one frame. Each field names the bytes it
// came from, so the tree and the hex view can point at each other.

export interface Field {
  readonly label: string
  /** The decoded value as a person reads it; absent for a pure grouping node. */
  readonly value?: string
  /** Byte range [start, end) in the buffer named by `source`. */
  readonly start: number
  readonly end: number
  /** 'wire' (the bytes on the wire, default) or 'plain' (DTLS plaintext). */
  readonly source?: 'wire' | 'plain'
  readonly children?: readonly Field[]
  /** A spec violation found here: rule id, section and what is wrong. */
  readonly problem?: { readonly rule: string; readonly section: string; readonly message: string }
}

export function field(label: string, start: number, end: number, value?: string, children?: readonly Field[]): Field {
  const f: { -readonly [K in keyof Field]: Field[K] } = { label, start, end }
  if (value !== undefined) f.value = value
  if (children !== undefined && children.length > 0) f.children = children
  return f
}

/** The same tree with every range moved by `by` (a field tree of a buffer inside another). */
export function shiftFields(fields: readonly Field[], by: number, source?: 'wire' | 'plain'): Field[] {
  return fields.map((f) => {
    const out: { -readonly [K in keyof Field]: Field[K] } = { ...f, start: f.start + by, end: f.end + by }
    if (source !== undefined) out.source = source
    if (f.children) out.children = shiftFields(f.children, by, source)
    return out
  })
}
