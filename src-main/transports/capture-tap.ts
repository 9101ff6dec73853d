// SPDX-License-Identifier: Apache-2.0
// Every transport hands each frame to a tap, so the packet inspector sees all traffic without
// touching the transports again.
import type { PeerAddress } from '../core/ports'

export interface CaptureFrame {
  readonly direction: 'in' | 'out'
  /** 'udp', 'dtls', 'serial', ... */
  readonly transport: string
  /** Our side, e.g. "0.0.0.0:5683". */
  readonly local: string
  readonly peer: PeerAddress
  /** The bytes on the wire (for DTLS the protected records). */
  readonly bytes: Uint8Array
  readonly at: number
  /** DTLS: the decrypted content of the record(s) in `bytes`. */
  readonly plaintext?: Uint8Array
  /** DTLS record metadata of the (first) record. */
  readonly epoch?: number
  readonly seq?: number
  /** DTLS Connection ID in the record, hex. */
  readonly cid?: string
  /** DTLS PSK identity (or certificate subject) of the session. */
  readonly identity?: string
  /** Tapped at a simulated device's own socket (the simulator tap), not at one of our servers. */
  readonly simulated?: boolean
}

/**
 * A tap; `off` true tells the transport not to build the frame at all, so a paused or absent
 * capture costs the hot path one property read.
 */
export interface CaptureTap {
  (frame: CaptureFrame): void
  readonly off?: boolean
}

type Sink = (frame: CaptureFrame) => void

let sink: Sink | null = null

function tapFrame(frame: CaptureFrame): void {
  sink?.(frame)
}

/** The one tap every listener and simulated device is opened with (off until a sink is set). */
export const processTap: CaptureTap & { off: boolean } = Object.assign(tapFrame, { off: true })

/**
 * The tap of the simulated devices' sockets: the same sink, with each frame marked as seen at the
 * device's end, so a datagram between a simulated device and our server (captured at both
 * sockets) can be shown once, from the server's side.
 */
export const simulatorTap: CaptureTap = Object.defineProperty(
  (frame: CaptureFrame): void => sink?.({ ...frame, simulated: true }),
  'off',
  { get: () => processTap.off }
) as CaptureTap

/** Routes every tapped frame to `s` (the capture service), or stops capture with null. */
export function setCaptureSink(s: Sink | null): void {
  sink = s
  processTap.off = s === null
}

/** The sink frames go to now, or null. */
export function captureSink(): Sink | null {
  return sink
}

let keyLogSink: ((line: string) => void) | null = null

/**
 * A DTLS session's secrets as one NSS key log line ("CLIENT_RANDOM <hex> <hex>"), handed over by
 * the DTLS transport when a handshake completes, so pcapng exports can carry them for Wireshark.
 * Dropped when nothing captures. The line is a secret: it is never logged.
 */
export function tapKeyLog(line: string): void {
  keyLogSink?.(line)
}

export function setKeyLogSink(s: ((line: string) => void) | null): void {
  keyLogSink = s
}
