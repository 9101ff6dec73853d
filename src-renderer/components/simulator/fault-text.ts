// SPDX-License-Identifier: Apache-2.0
// A fault (docs/simulator-profile.md) in words, as the Simulator view lists it.
import type { Fault } from '@contract/simulator'

const pct = (share: number) => `${Math.round(share * 1000) / 10} %`
const DIRECTION = { in: 'incoming', out: 'outgoing', both: 'incoming and outgoing' } as const

export function faultText(f: Fault): string {
  switch (f.kind) {
    case 'drop':
      return `loses ${pct(f.share)} of ${DIRECTION[f.direction ?? 'both']} messages`
    case 'delay':
      return `holds ${pct(f.share)} of messages back ${f.ms} ms`
    case 'error':
      return `answers ${f.operation ? `${f.operation} requests` : 'every request'} on ${f.path} with ${f.code}`
    case 'malformed':
      return `garbles ${pct(f.share)} of answers${f.path ? ` on ${f.path}` : ''}`
    case 'silent':
      return 'stops answering altogether'
  }
}
