// SPDX-License-Identifier: Apache-2.0
// multipart/form-data (RFC 7578, framing of RFC 2046 §5.1.1) read as it streams in, for the capture
// upload: what a browser's fetch sends with a FormData body, and curl with -F. A part's bytes go to
// the target its headers choose as they arrive (a capture of gigabytes is never held whole).
// Transport padding after a boundary and nested multiparts are not supported (browsers send
// neither).

export interface FormPartTarget {
  /** False asks the sender to wait for `drain` before pushing more. */
  write(chunk: Buffer): boolean
  end(): void
}

export interface FormPartHead {
  readonly name: string
  readonly filename: string | null
}

const CRLF2 = Buffer.from('\r\n\r\n')
const MAX_HEADERS = 16 * 1024

/** The boundary of a multipart/form-data Content-Type, or null for any other type. */
export function formBoundary(contentType: string | undefined): string | null {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) return null
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType)
  return m ? ((m[1] ?? m[2]) as string) : null
}

export class MultipartFormReader {
  readonly #delimiter: Buffer
  readonly #onPart: (head: FormPartHead) => FormPartTarget
  // The body starts with "--boundary", not "\r\n--boundary": a CRLF in front lets one search find both.
  #pending: Buffer = Buffer.from('\r\n')
  #state: 'preamble' | 'after-boundary' | 'headers' | 'body' | 'done' = 'preamble'
  #target: FormPartTarget | null = null
  #problem: string | null = null

  constructor(boundary: string, onPart: (head: FormPartHead) => FormPartTarget) {
    this.#delimiter = Buffer.from(`\r\n--${boundary}`)
    this.#onPart = onPart
  }

  /** Why the body is not a form, once it is known; nothing more is read after that. */
  get problem(): string | null {
    return this.#problem
  }

  /** Feeds the next bytes of the body; false when the current part's target asks to wait. */
  push(chunk: Buffer): boolean {
    if (this.#problem !== null || this.#state === 'done') return true
    let buf = this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : chunk
    let ready = true
    for (;;) {
      if (this.#state === 'preamble' || this.#state === 'body') {
        const i = buf.indexOf(this.#delimiter)
        // Without a delimiter, all but a possible delimiter's start is part data.
        const upTo = i >= 0 ? i : Math.max(0, buf.length - this.#delimiter.length + 1)
        if (this.#state === 'body' && upTo > 0 && this.#target && !this.#target.write(buf.subarray(0, upTo))) ready = false
        if (i < 0) {
          this.#pending = Buffer.from(buf.subarray(upTo))
          return ready
        }
        if (this.#state === 'body') this.#target?.end()
        this.#target = null
        buf = buf.subarray(i + this.#delimiter.length)
        this.#state = 'after-boundary'
      } else if (this.#state === 'after-boundary') {
        if (buf.length < 2) break
        const two = buf.toString('latin1', 0, 2)
        if (two === '--') {
          this.#state = 'done'
          this.#pending = Buffer.alloc(0)
          return ready
        }
        if (two !== '\r\n') return this.#fail('a boundary line is followed by neither CRLF nor "--"')
        buf = buf.subarray(2)
        this.#state = 'headers'
      } else if (this.#state === 'headers') {
        const i = buf.indexOf(CRLF2)
        if (i < 0) {
          if (buf.length > MAX_HEADERS) return this.#fail('a part\'s headers are longer than 16 KiB')
          break
        }
        const head = partHead(buf.toString('utf8', 0, i))
        if (head === null) return this.#fail('a part has no Content-Disposition: form-data with a name')
        this.#target = this.#onPart(head)
        buf = buf.subarray(i + 4)
        this.#state = 'body'
      } else return ready
    }
    this.#pending = Buffer.from(buf)
    return ready
  }

  /** Call at the end of the body: the problem when the closing boundary never came. */
  finish(): string | null {
    if (this.#problem === null && this.#state !== 'done') this.#fail('the form ends before its closing boundary')
    return this.#problem
  }

  #fail(problem: string): true {
    this.#problem = problem
    this.#state = 'done'
    this.#pending = Buffer.alloc(0)
    return true
  }
}

function partHead(text: string): FormPartHead | null {
  for (const line of text.split('\r\n')) {
    const m = /^content-disposition:\s*form-data\s*(;.*)?$/i.exec(line)
    if (!m) continue
    const params = m[1] ?? ''
    const name = /;\s*name="([^"]*)"/i.exec(params)?.[1]
    if (name === undefined) return null
    const filename = /;\s*filename="([^"]*)"/i.exec(params)?.[1] ?? null
    return { name, filename }
  }
  return null
}
