// SPDX-License-Identifier: Apache-2.0
// The one rule for endpoint client names, wherever they enter: Register, Bootstrap-Request,
// Bootstrap-Pack-Request, bootstrap configurations and the contract. The spec sets no limit (C §6.2.1
// only says "unique"), but a name we cannot store, show or address is useless: at most 256 bytes of
// UTF-8, no control characters, and valid UTF-8 (the CoAP layer turns a bad byte into U+FFFD).

export const MAX_ENDPOINT_BYTES = 256

/** Why `name` cannot be an endpoint name, in words; null when it can. */
export function endpointNameProblem(name: string): string | null {
  if (name.length === 0) return 'the endpoint name is empty'
  if (name.includes('\uFFFD')) return 'the endpoint name is not valid UTF-8'
  let bytes = 0
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
      return `the endpoint name contains a control character (U+${c.toString(16).toUpperCase().padStart(4, '0')}) at position ${i}`
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = name.charCodeAt(i + 1)
      if (!(d >= 0xdc00 && d <= 0xdfff)) return 'the endpoint name is not valid UTF-8 (a lone surrogate)'
      bytes += 4
      i++
    } else if (c >= 0xdc00 && c <= 0xdfff) return 'the endpoint name is not valid UTF-8 (a lone surrogate)'
    else bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3
    if (bytes > MAX_ENDPOINT_BYTES) return `the endpoint name is longer than ${MAX_ENDPOINT_BYTES} bytes of UTF-8`
  }
  return null
}
