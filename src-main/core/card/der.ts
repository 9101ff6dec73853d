// SPDX-License-Identifier: Apache-2.0
// A small DER reader (ITU-T X.690 §8, §10) for the PKCS#15 files of a card (EF(DIR), ODF, DODF)
// and the FCP templates it answers SELECT with. Total like every decoder here: any bytes give the
// nodes it could read plus violations; it never throws.
import { ViolationList, type Violation } from '../violation'

const SECTION = 'ITU-T X.690 (DER)'
const MAX_DEPTH = 32

export interface DerNode {
  /** The identifier octets as a number (e.g. 0x30, 0xA1, 0x5F2D for a two-byte tag). */
  readonly tag: number
  /** 0 universal, 1 application, 2 context-specific, 3 private. */
  readonly tagClass: number
  readonly constructed: boolean
  /** Offset of the identifier in the bytes given to readDer. */
  readonly offset: number
  readonly headerLength: number
  readonly value: Uint8Array
  /** Children of a constructed node (empty for a primitive one). */
  readonly children: DerNode[]
}

export interface DerResult {
  readonly nodes: DerNode[]
  readonly violations: Violation[]
}

/**
 * Reads the TLVs in `bytes`. 00 and FF bytes between top-level objects are padding (cards fill
 * files with FF; ISO/IEC 7816-4 §5.2.2 allows 00 and FF before and after BER-TLV objects).
 */
export function readDer(bytes: Uint8Array): DerResult {
  const v = new ViolationList(100)
  const nodes = readList(bytes, 0, bytes.length, 0, v, true)
  return { nodes, violations: v.items }
}

function readList(bytes: Uint8Array, start: number, end: number, depth: number, v: ViolationList, padding: boolean): DerNode[] {
  const out: DerNode[] = []
  let at = start
  while (at < end) {
    if (padding && (bytes[at] === 0xff || bytes[at] === 0x00)) {
      at++
      continue
    }
    const node = readNode(bytes, at, end, depth, v)
    if (node === null) break
    out.push(node)
    at = node.offset + node.headerLength + node.value.length
  }
  return out
}

function readNode(bytes: Uint8Array, start: number, end: number, depth: number, v: ViolationList): DerNode | null {
  let at = start
  const first = bytes[at++] as number
  let tag = first
  if ((first & 0x1f) === 0x1f) {
    // High tag number form: continuation bytes while bit 8 is set (at most 3 here).
    for (let n = 0; ; n++) {
      if (at >= end) {
        v.add(start, 'der.tag-truncated', SECTION, `the tag at ${start} runs past the end`)
        return null
      }
      const b = bytes[at++] as number
      tag = tag * 256 + b
      if ((b & 0x80) === 0) break
      if (n >= 2) {
        v.add(start, 'der.tag-too-long', SECTION, `the tag at ${start} is longer than 4 bytes`)
        return null
      }
    }
  }
  if (at >= end) {
    v.add(start, 'der.length-missing', SECTION, `the object at ${start} ends before its length`)
    return null
  }
  let length = bytes[at++] as number
  if (length === 0x80) {
    v.add(at - 1, 'der.indefinite-length', SECTION, `the object at ${start} has an indefinite length, which DER forbids`)
    return null
  }
  if (length > 0x80) {
    const n = length & 0x7f
    if (n > 3 || at + n > end) {
      v.add(at - 1, 'der.length-truncated', SECTION, `the length at ${at - 1} takes ${n} bytes, which do not fit`)
      return null
    }
    length = 0
    for (let i = 0; i < n; i++) length = length * 256 + (bytes[at++] as number)
    if (length < 0x80 || (n > 1 && length < 1 << (8 * (n - 1)))) v.add(start, 'der.length-not-minimal', SECTION, `the object at ${start} states its length ${length} in more bytes than needed`)
  }
  const headerLength = at - start
  let valueEnd = at + length
  if (valueEnd > end) {
    v.add(start, 'der.value-truncated', SECTION, `the object at ${start} states ${length} value bytes, only ${end - at} follow`)
    valueEnd = end
  }
  const constructed = (first & 0x20) !== 0
  const value = bytes.subarray(at, valueEnd)
  let children: DerNode[] = []
  if (constructed) {
    if (depth >= MAX_DEPTH) v.add(start, 'der.too-deep', SECTION, `objects nest deeper than ${MAX_DEPTH} at ${start}`)
    else children = readList(bytes, at, valueEnd, depth + 1, v, false)
  }
  return { tag, tagClass: first >> 6, constructed, offset: start, headerLength, value, children }
}

/** First child with this tag, if any. */
export function child(node: DerNode | undefined, tag: number): DerNode | undefined {
  return node?.children.find((c) => c.tag === tag)
}

/** An OBJECT IDENTIFIER's content octets in dotted form, or null when they are malformed. */
export function oidToString(content: Uint8Array): string | null {
  if (content.length === 0) return null
  const arcs: number[] = []
  let value = 0
  for (let i = 0; i < content.length; i++) {
    const b = content[i] as number
    if (value === 0 && b === 0x80) return null
    value = value * 128 + (b & 0x7f)
    if (value > Number.MAX_SAFE_INTEGER / 128) return null
    if ((b & 0x80) === 0) {
      arcs.push(value)
      value = 0
    } else if (i === content.length - 1) return null
  }
  const first = arcs[0] as number
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80]
  return [...head, ...arcs.slice(1)].join('.')
}

/** A dotted OID's content octets. */
export function oidContent(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number)
  const out: number[] = []
  const push = (n: number) => {
    const groups = [n & 0x7f]
    for (n = Math.floor(n / 128); n > 0; n = Math.floor(n / 128)) groups.unshift((n & 0x7f) | 0x80)
    out.push(...groups)
  }
  push((arcs[0] as number) * 40 + (arcs[1] as number))
  for (const a of arcs.slice(2)) push(a)
  return Uint8Array.from(out)
}
