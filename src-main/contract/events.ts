// SPDX-License-Identifier: Apache-2.0
// Events (`domain.event`) pushed from the main process to every connected UI and client.
import type { BootstrapRunDto } from './bootstrap'
import type { CaptureFrameDto } from './capture'
import type { DeviceSummary, OperationResultDto, QueuedRequestDto, TimelineEntryDto } from './devices'
import type { Json } from './schema'
import type { FleetDto } from './simulator'
import type { HandshakeDto, SecurityRole } from './security'
import type { ConsoleLineDto, SerialCountersDto, SerialFrameDto, SerialPortDto } from './serial'
import type { CardReaderDto } from './cards'

export interface EventPayloads {
  'settings.changed': { key: string; value: Json }
  /** The model library was reloaded (folders changed or reload asked). */
  'models.changed': { total: number; problems: number }
  /** `previousAddress`: the same endpoint was registered from another address, which it took over. */
  'devices.registered': { device: DeviceSummary; replaced: boolean; previousAddress?: string }
  'devices.updated': { device: DeviceSummary }
  'devices.deregistered': { endpoint: string; reason: 'de-register' | 'expired' | 'replaced' }
  'devices.notification': { endpoint: string; observationId: string; result: OperationResultDto }
  'devices.observationEnded': { endpoint: string; observationId: string; reason: string }
  'devices.send': { endpoint: string; result: OperationResultDto }
  'devices.queue': { endpoint: string; queue: QueuedRequestDto[] }
  /** A new entry on a device's server-side timeline (devices.timeline). */
  'devices.timelineAppended': { endpoint: string; entry: TimelineEntryDto }
  /** A bootstrap run started, took a step or finished. */
  'bootstrap.progress': { run: BootstrapRunDto; change: 'started' | 'step' | 'finished' }
  /** A fleet started, changed counts (at most a few times a second) or stopped. */
  'simulator.changed': { fleet: FleetDto; change: 'started' | 'counts' | 'stopped' }
  /** A DTLS credential was put or deleted; 'refused': a bootstrap run's credential could not be stored (`reason`). */
  'security.changed': { endpoint: string; role: SecurityRole; change: 'put' | 'deleted' | 'refused'; source: 'user' | 'bootstrap'; reason?: string }
  /** Handshakes recorded since the last event (batched); `dropped`: records a flood pushed out before they were kept. */
  'security.handshake': { handshakes: HandshakeDto[]; dropped: number }
  /** The system's port list changed (polled: serialport has no hot-plug events). */
  'serial.portsChanged': { ports: SerialPortDto[] }
  /** Console lines and decoded CoAP frames of a line, batched (every 50 ms at most). */
  'serial.data': { path: string; lines: ConsoleLineDto[]; frames: SerialFrameDto[]; counters?: SerialCountersDto; endpoint?: string | null }
  /** A line ended: closed by a user, unplugged, the other end gone. */
  'serial.closed': { path: string; reason: string }
  /** A reader came or went, or a card was inserted or removed. */
  'cards.changed': { readers: CardReaderDto[] }
  /** A card write's progress: bytes of EF LwM2M_Bootstrap done of total. */
  'cards.progress': { reader: string; done: number; total: number; step: string }
  /** New captured frames, batched (every 50 ms, at most 500 rows; `more` counts the rest). */
  'capture.frames': { frames: CaptureFrameDto[]; more: number; total: number; lastId: number }
}

export type EventName = keyof EventPayloads

export const EVENTS: readonly EventName[] = [
  'settings.changed',
  'models.changed',
  'devices.registered',
  'devices.updated',
  'devices.deregistered',
  'devices.notification',
  'devices.observationEnded',
  'devices.send',
  'devices.queue',
  'devices.timelineAppended',
  'bootstrap.progress',
  'simulator.changed',
  'security.changed',
  'security.handshake',
  'serial.portsChanged',
  'serial.data',
  'serial.closed',
  'cards.changed',
  'cards.progress',
  'capture.frames'
]
