// SPDX-License-Identifier: Apache-2.0
// What `serve` logs about the protocols: registrations, updates, de-registrations, expiries and
// finished bootstrap runs at info (from the contract events), CoAP requests and responses at
// debug and endpoint failures as errors (from every CoAP listener). Payloads are never logged:
// bootstrap writes carry keys.
import type { EventPayloads } from '../contract/events'
import type { DeviceSummary } from '../contract/devices'
import type { EndpointEvent } from '../core/coap/events'
import { formatCode, Option, type CoapMessage } from '../core/coap/message'
import { tapEndpointEvents } from './coap-listener'
import type { EventHub } from './event-hub'
import type { Logger } from './logger'

/** Starts logging; returns the function that stops it. */
export function attachProtocolLog(events: EventHub, log: Logger): () => void {
  const unsubscribe = events.subscribe((name, payload) => {
    switch (name) {
      case 'devices.registered': {
        const { device, replaced } = payload as EventPayloads['devices.registered']
        return log.info('device.registered', { ...deviceFields(device), replaced })
      }
      case 'devices.updated':
        return log.info('device.updated', deviceFields((payload as EventPayloads['devices.updated']).device))
      case 'devices.deregistered': {
        const p = payload as EventPayloads['devices.deregistered']
        return p.reason === 'expired'
          ? log.info('device.expired', { endpoint: p.endpoint })
          : log.info('device.deregistered', { endpoint: p.endpoint, reason: p.reason })
      }
      case 'bootstrap.progress': {
        const { run, change } = payload as EventPayloads['bootstrap.progress']
        if (change !== 'finished') return
        return log.info('bootstrap.finished', {
          endpoint: run.endpoint,
          kind: run.kind,
          peer: run.peer,
          outcome: run.outcome,
          steps: run.steps.length,
          detail: run.detail
        })
      }
    }
  })
  const untap = tapEndpointEvents((role, e) => endpointEvent(log, role, e))
  return () => {
    unsubscribe()
    untap()
  }
}

const deviceFields = (d: DeviceSummary) => ({
  endpoint: d.endpoint,
  address: d.address,
  lwm2m: d.lwm2mVersion,
  binding: d.binding,
  lifetime: d.lifetime,
  queue: d.queueMode
})

function endpointEvent(log: Logger, role: string, e: EndpointEvent): void {
  switch (e.type) {
    case 'handler-error':
      return log.error('coap.handler_error', { role, peer: e.peer.display, ...messageFields(e.request), detail: errorText(e.error) })
    case 'internal-error':
      return log.error('coap.internal_error', { role, detail: errorText(e.error) })
  }
  // Everything below is per datagram: the check keeps the hot path to one comparison.
  if (!log.enabled('debug')) return
  switch (e.type) {
    case 'received':
    case 'sent':
    case 'duplicate':
    case 'unmatched':
      return log.debug(`coap.${e.type}`, { role, peer: e.peer.display, ...messageFields(e.message) })
    case 'retransmitted':
      return log.debug('coap.retransmitted', { role, peer: e.peer.display, ...messageFields(e.message), attempt: e.attempt })
    case 'timeout':
      return log.debug('coap.timeout', { role, peer: e.peer.display, ...messageFields(e.message), attempts: e.attempts })
    case 'malformed':
      return log.debug('coap.malformed', {
        role,
        peer: e.peer.display,
        bytes: e.datagram.length,
        action: e.action,
        violations: e.violations.map((v) => v.rule).join(',')
      })
  }
}

function messageFields(m: CoapMessage) {
  let path = ''
  for (const o of m.options) if (o.number === Option.URI_PATH) path += '/' + new TextDecoder().decode(o.value)
  let token = ''
  for (const b of m.token) token += b.toString(16).padStart(2, '0')
  return { type: m.type, code: formatCode(m.code), mid: m.messageId, token, path: path || undefined, bytes: m.payload.length }
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e))
