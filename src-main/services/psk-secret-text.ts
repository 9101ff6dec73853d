// SPDX-License-Identifier: Apache-2.0
// A pre-shared key for decrypting an imported capture written as text, "IDENTITY:HEXKEY", as
// `lwm2m-wb pcap --psk` and the headless upload's `psk` form fields take it. The identity may hold
// colons; the hex key cannot, so the last colon splits them.
import type { PskSecret } from '../core/inspect/dtls-decryptor'

export type { PskSecret }

/** The secret, or null when the text is not IDENTITY:HEXKEY (the key an even number of hex digits). */
export function pskSecretFromText(text: string): PskSecret | null {
  const m = /^(.+):((?:[0-9a-fA-F]{2})+)$/.exec(text.trim())
  if (!m) return null
  return { identity: new TextEncoder().encode(m[1] as string), key: Uint8Array.from(Buffer.from(m[2] as string, 'hex')) }
}
