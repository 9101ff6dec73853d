// SPDX-License-Identifier: Apache-2.0
// The link a simulated device's CoAP endpoint sits on: the real datagram link underneath, with
// the radio switched off while the device sleeps (queue mode: nothing comes in) and the
// transport faults of a profile or `simulator.inject` — drop or delay a share of messages, or
// go silent altogether (issue 14 item 5).
import type { DatagramLink, PeerAddress, Random, Scheduler } from '../../ports'
import type { Fault } from './profile'

export class DeviceLink implements DatagramLink {
  private handler: ((peer: PeerAddress, datagram: Uint8Array) => void) | null = null
  /** False while the device sleeps: incoming datagrams are lost, as with the radio off. */
  radioOn = true
  faults: readonly Fault[] = []
  /** Counted for the simulator's view. */
  dropped = 0

  constructor(
    private readonly inner: DatagramLink,
    private readonly scheduler: Scheduler,
    private readonly random: Random,
    /** Something came in or went out (queue mode keeps the device awake). */
    private readonly onTraffic: () => void = () => undefined
  ) {
    inner.onReceive((peer, datagram) => this.receive(peer, datagram))
  }

  onReceive(handler: (peer: PeerAddress, datagram: Uint8Array) => void): void {
    this.handler = handler
  }

  send(peer: PeerAddress, datagram: Uint8Array): void {
    if (this.silent() || this.drops('out')) {
      this.dropped++
      return
    }
    this.onTraffic()
    const delay = this.delayMs()
    if (delay > 0) this.scheduler.schedule(delay, () => this.inner.send(peer, datagram))
    else this.inner.send(peer, datagram)
  }

  private receive(peer: PeerAddress, datagram: Uint8Array): void {
    if (!this.radioOn || this.silent() || this.drops('in')) {
      this.dropped++
      return
    }
    this.onTraffic()
    const delay = this.delayMs()
    if (delay > 0) this.scheduler.schedule(delay, () => this.handler?.(peer, datagram))
    else this.handler?.(peer, datagram)
  }

  private silent(): boolean {
    return this.faults.some((f) => f.kind === 'silent')
  }

  private drops(direction: 'in' | 'out'): boolean {
    for (const f of this.faults) {
      if (f.kind !== 'drop') continue
      const d = f.direction ?? 'both'
      if ((d === 'both' || d === direction) && this.random.next() < f.share) return true
    }
    return false
  }

  private delayMs(): number {
    let ms = 0
    for (const f of this.faults) if (f.kind === 'delay' && this.random.next() < f.share) ms = Math.max(ms, f.ms)
    return ms
  }
}
