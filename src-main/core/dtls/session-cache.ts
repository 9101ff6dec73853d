// SPDX-License-Identifier: Apache-2.0
// Sessions a DTLS server keeps for resumption by session ID (RFC 5246 §7.3, §F.1.4): bounded in
// number (the oldest go first) and in age, so a handshake flood cannot grow it without limit.
// Pure: time comes from the caller's clock.
import type { ResumableSession, SessionCache } from './connection'

function key(id: Uint8Array): string {
  let s = ''
  for (const b of id) s += (b < 16 ? '0' : '') + b.toString(16)
  return s
}

export class BoundedSessionCache implements SessionCache {
  readonly #sessions = new Map<string, { session: ResumableSession; at: number }>()

  constructor(
    private readonly now: () => number,
    private readonly maxSessions = 20_000,
    /** RFC 5246 §F.1.4 suggests at most 24 hours. */
    private readonly maxAgeMs = 24 * 3600_000
  ) {}

  get(sessionId: Uint8Array): ResumableSession | undefined {
    const k = key(sessionId)
    const e = this.#sessions.get(k)
    if (e === undefined) return undefined
    if (this.now() - e.at > this.maxAgeMs) {
      this.#sessions.delete(k)
      return undefined
    }
    return e.session
  }

  put(session: ResumableSession): void {
    const k = key(session.sessionId)
    this.#sessions.delete(k)
    this.#sessions.set(k, { session, at: this.now() })
    while (this.#sessions.size > this.maxSessions) {
      const oldest = this.#sessions.keys().next().value as string
      this.#sessions.delete(oldest)
    }
  }

  get size(): number {
    return this.#sessions.size
  }
}
