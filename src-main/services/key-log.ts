// SPDX-License-Identifier: Apache-2.0
// The DTLS key log (issue 15 item 7): "CLIENT_RANDOM <client_random> <master_secret>" lines in the
// NSS key log format, appended to <data dir>/dtls-keylog.txt (mode 0600) while the setting
// dtls.keyLog is on, so that Wireshark/tshark can decrypt a capture. Nothing else ever writes
// keys anywhere; with the setting off this does nothing.
import { appendFileSync, chmodSync } from 'node:fs'
import { join } from 'node:path'
import { tapKeyLog } from '../transports/capture-tap'

export const KEY_LOG_FILE = 'dtls-keylog.txt'

export class KeyLog {
  readonly path: string

  constructor(
    dataDir: string,
    private readonly enabled: () => boolean,
    private readonly onError: (message: string) => void = () => undefined
  ) {
    this.path = join(dataDir, KEY_LOG_FILE)
  }

  write(line: string): void {
    if (!this.enabled()) return
    // Kept with the capture too, so a pcapng export carries it (Decryption Secrets Block).
    tapKeyLog(line)
    try {
      appendFileSync(this.path, line + '\n', { mode: 0o600 })
      chmodSync(this.path, 0o600)
    } catch (e) {
      this.onError(`cannot write the DTLS key log ${this.path}: ${(e as Error).message}`)
    }
  }
}
