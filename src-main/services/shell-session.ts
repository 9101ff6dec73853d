// SPDX-License-Identifier: Apache-2.0
// A scripted console on a serial line: send a line, wait for a prompt or a pattern, with a
// timeout. What the device printed in between (its echo included) is the answer.
import { plainShellText } from '../core/serial/zephyr-shell'
import type { SerialService } from './serial-service'

export class ShellTimeoutError extends Error {
  override name = 'ShellTimeoutError'
}

export class ShellSession {
  #buffer = ''
  readonly #stop: () => void
  #wake: (() => void) | null = null

  constructor(
    private readonly serial: SerialService,
    private readonly path: string
  ) {
    this.#stop = serial.watchText(path, (text) => {
      this.#buffer += plainShellText(text)
      this.#wake?.()
    })
  }

  /** Waits until the text received since the last answer matches `until`; returns that text. */
  async waitFor(until: RegExp, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const m = until.exec(this.#buffer)
      if (m) {
        const end = m.index + m[0].length
        const answer = this.#buffer.slice(0, end)
        this.#buffer = this.#buffer.slice(end)
        return answer
      }
      const left = deadline - Date.now()
      if (left <= 0) throw new ShellTimeoutError(`no ${until.source} within ${timeoutMs} ms (got ${JSON.stringify(this.#buffer.slice(-200))})`)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left)
        this.#wake = () => {
          clearTimeout(t)
          resolve()
        }
      })
      this.#wake = null
    }
  }

  /** Sends `line` (with "\n") and waits for `until` (the prompt); returns the answer. */
  async send(line: string, until: RegExp, timeoutMs: number): Promise<string> {
    this.#buffer = ''
    this.serial.hostLine(this.path, line)
    await this.serial.link(this.path).writeBytes(new TextEncoder().encode(line + '\n'))
    return this.waitFor(until, timeoutMs)
  }

  close(): void {
    this.#stop()
  }
}
