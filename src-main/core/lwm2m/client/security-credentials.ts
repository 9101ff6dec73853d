// SPDX-License-Identifier: Apache-2.0
// What a simulated device presents in a DTLS handshake: the Security object instance whose URI
// leads to that server (LwM2M Core §E.1, Object 0) — Security Mode /0/x/2, "Public Key or
// Identity" /0/x/3 and "Secret Key" /0/x/5. Only mode 0 (PSK) has a handshake today; the other
// modes get a plain answer instead of a handshake that cannot succeed.
import type { PeerAddress } from '../../ports'
import type { ObjectTree } from './object-tree'

export type DtlsCredentialResult =
  | { readonly ok: true; readonly mode: 'psk'; readonly identity: Uint8Array; readonly key: Uint8Array; readonly instance: number }
  | { readonly ok: false; readonly problem: string }

const MODES = ['PSK (0)', 'RPK (1)', 'Certificate (2)', 'NoSec (3)', 'Certificate with EST (4)']

export function dtlsCredentialFor(tree: ObjectTree, peerFor: (uri: string) => PeerAddress | null, peerKey: string): DtlsCredentialResult {
  for (const i of tree.instanceIds(0)) {
    const uri = tree.value(0, i, 0)
    if (uri?.type !== 'string' || peerFor(uri.value)?.key !== peerKey) continue
    const mode = tree.value(0, i, 2)
    const m = mode?.type === 'integer' || mode?.type === 'unsigned' ? Number(mode.value) : -1
    if (m !== 0) return { ok: false, problem: `the Security instance /0/${i} for ${uri.value} uses mode ${MODES[m] ?? m}; this simulator does DTLS with PSK (mode 0) only` }
    const identity = tree.value(0, i, 3)
    const key = tree.value(0, i, 5)
    if (identity?.type !== 'opaque' || identity.value.length === 0) return { ok: false, problem: `/0/${i}/3 (PSK identity) is empty for ${uri.value}` }
    if (key?.type !== 'opaque' || key.value.length === 0) return { ok: false, problem: `/0/${i}/5 (PSK key) is empty for ${uri.value}` }
    return { ok: true, mode: 'psk', identity: identity.value, key: key.value, instance: i }
  }
  return { ok: false, problem: `no Security instance names ${peerKey}` }
}
