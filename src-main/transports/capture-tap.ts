// SPDX-License-Identifier: Apache-2.0
// Every transport hands each frame to a tap, so the packet inspector (a later issue) sees all
// traffic without touching the transports again.
import type { PeerAddress } from '../core/ports'

export interface CaptureFrame {
  readonly direction: 'in' | 'out'
  readonly transport: string
  /** Our side, e.g. "0.0.0.0:5683". */
  readonly local: string
  readonly peer: PeerAddress
  readonly bytes: Uint8Array
  readonly at: number
}

export type CaptureTap = (frame: CaptureFrame) => void
