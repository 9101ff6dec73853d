// SPDX-License-Identifier: Apache-2.0
// Raw framing: a byte stream cut into text lines (device shells, diagnostic text). "\r\n" and
// "\n" end a line; a line longer than the limit is cut there rather than growing without bound.

export const DEFAULT_MAX_LINE = 4096

export class LineSplitter {
  #pending = ''
  readonly #text = new TextDecoder('utf-8')

  constructor(
    private readonly onLine: (line: string) => void,
    readonly maxLine: number = DEFAULT_MAX_LINE
  ) {}

  /** Bytes as they came off the line. */
  pushBytes(chunk: Uint8Array): void {
    // A multi-byte character split across reads: decode with stream semantics.
    this.pushText(this.#text.decode(chunk, { stream: true }))
  }

  pushText(text: string): void {
    let s = this.#pending + text
    let nl = s.indexOf('\n')
    while (nl >= 0) {
      this.#emit(s.slice(0, nl).replace(/\r$/, ''))
      s = s.slice(nl + 1)
      nl = s.indexOf('\n')
    }
    while (s.length > this.maxLine) {
      this.onLine(s.slice(0, this.maxLine))
      s = s.slice(this.maxLine)
    }
    this.#pending = s
  }

  #emit(line: string): void {
    let rest = line
    while (rest.length > this.maxLine) {
      this.onLine(rest.slice(0, this.maxLine))
      rest = rest.slice(this.maxLine)
    }
    this.onLine(rest)
  }

  /** What has come in since the last line end (a shell prompt has none). */
  get pending(): string {
    return this.#pending
  }

  /** Hands out the partial line, if any. */
  flush(): void {
    if (this.#pending !== '') this.onLine(this.#pending)
    this.#pending = ''
  }
}
