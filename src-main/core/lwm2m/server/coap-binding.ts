// SPDX-License-Identifier: Apache-2.0
// The LwM2M roles over a CoAP endpoint (T §6.4, CoAP binding): uplink CoAP requests become
// UplinkRequests for the role, the role's answers become CoAP responses, and the DeviceLink the
// roles use to reach devices becomes CoAP requests and observations. The endpoint under it may
// sit on UDP, DTLS or any other datagram link.
import { utf8Bytes } from '../../bytes'
import type { CoapEndpoint, RequestOptions } from '../../coap/endpoint'
import { Method as M, Option, type CoapMessage, type CoapOption } from '../../coap/message'
import {
  accept,
  contentFormat,
  locationPath,
  observe as observeOf,
  pathOptions,
  queryOptions,
  uintOptionOf,
  uriPath,
  uriQuery
} from '../../coap/options'
import type { DeviceLink, DownlinkRequest, DownlinkResponse, Method, SendControl, UplinkRequest, UplinkResponse } from './messages'

const METHODS: Record<number, Method> = { [M.GET]: 'GET', [M.POST]: 'POST', [M.PUT]: 'PUT', [M.DELETE]: 'DELETE', [M.FETCH]: 'FETCH', [M.IPATCH]: 'IPATCH' }
const CODES: Record<Method, number> = { GET: M.GET, POST: M.POST, PUT: M.PUT, DELETE: M.DELETE, FETCH: M.FETCH, IPATCH: M.IPATCH }
const METHOD_NOT_ALLOWED = 133

/** Options helpers read messages; requests and responses carry the same option list. */
const NO_BYTES = new Uint8Array(0)
const asMessage = (options: readonly CoapOption[]): CoapMessage => ({ type: 'CON', code: 0, messageId: 0, token: NO_BYTES, options, payload: NO_BYTES })

/** Serves uplink requests (Register, Send, Bootstrap-Request, …) with `handle`. */
export function serveUplink(endpoint: CoapEndpoint, handle: (req: UplinkRequest, accept: number | null) => UplinkResponse): void {
  endpoint.onRequest((req) => {
    const method = METHODS[req.code]
    if (!method) return { code: METHOD_NOT_ALLOWED }
    const m = asMessage(req.options)
    const res = handle({ peer: req.peer, method, path: uriPath(m), query: uriQuery(m), contentFormat: contentFormat(m), payload: req.payload }, accept(m))
    // Built in wire order (Location-Path 8, Content-Format 12, Max-Age 14): no sort needed.
    const options: CoapOption[] = []
    if (res.locationPath) for (const s of res.locationPath) options.push({ number: Option.LOCATION_PATH, value: utf8Bytes(s) })
    if (res.contentFormat !== undefined) options.push(uintOptionOf(Option.CONTENT_FORMAT, res.contentFormat))
    if (res.maxAge !== undefined) options.push(uintOptionOf(Option.MAX_AGE, res.maxAge))
    return { code: res.code, options, ...(res.payload ? { payload: res.payload } : {}) }
  })
}

/** Options in wire order as built (Observe 6, Uri-Path 11, Content-Format 12, Uri-Query 15, Accept 17): no sort needed. */
function requestOptions(req: DownlinkRequest): CoapOption[] {
  const options: CoapOption[] = []
  if (req.observe !== undefined) options.push(uintOptionOf(Option.OBSERVE, req.observe))
  for (const segment of req.path) options.push(pathSegment(segment))
  if (req.contentFormat !== undefined) options.push(uintOptionOf(Option.CONTENT_FORMAT, req.contentFormat))
  if (req.query?.length) options.push(...queryOptions(req.query))
  if (req.accept !== undefined) options.push(uintOptionOf(Option.ACCEPT, req.accept))
  return options
}

// Object, instance and resource ids come back in every request: their Uri-Path options are made
// once (options are never modified after they are built). Bounded, and only short digit strings.
const SEGMENTS = new Map<string, CoapOption>()

function pathSegment(segment: string): CoapOption {
  const cached = SEGMENTS.get(segment)
  if (cached !== undefined) return cached
  const option = pathOptions([segment])[0] as CoapOption
  if (segment.length <= 5 && SEGMENTS.size < 4096 && /^\d+$/.test(segment)) SEGMENTS.set(segment, option)
  return option
}

function toResponse(code: number, options: readonly CoapOption[], payload: Uint8Array): DownlinkResponse {
  const m = asMessage(options)
  return { code, contentFormat: contentFormat(m), payload, observe: observeOf(m), locationPath: locationPath(m) }
}

/**
 * The role's controls as CoAP request options. A plain request lives inside the role's request,
 * whose deadline cancels it through `cancel`, so the CoAP layer arms no deadline of its own (a
 * second timer per request). An observation's exchanges outlive the role's request (the GET
 * Observe=1 that cancels it, blocks of later notifications): they keep a CoAP deadline that
 * trails the role's.
 */
function requestControl(ctl: SendControl | undefined, outlivesRequest: boolean): RequestOptions {
  if (!ctl) return {}
  const out: { -readonly [K in keyof RequestOptions]: RequestOptions[K] } = {
    timeoutMs: outlivesRequest ? ctl.timeoutMs + 1000 : Infinity,
    cancel: ctl.cancel,
    onAck: ctl.onAck,
    onLate: (m) => ctl.onLate(toResponse(m.code, m.options, m.payload))
  }
  if (ctl.onProgress) out.onProgress = ctl.onProgress
  return out
}

/** The DeviceLink the roles use, as CoAP requests on `endpoint`. */
export function coapDeviceLink(endpoint: CoapEndpoint): DeviceLink {
  return {
    async send(peer, req, ctl) {
      const coapReq: { code: number; options: CoapOption[]; payload?: Uint8Array; confirmable: boolean } = { code: CODES[req.method], options: requestOptions(req), confirmable: req.confirmable ?? true }
      if (req.payload) coapReq.payload = req.payload
      const res = await endpoint.request(peer, coapReq, requestControl(ctl, false))
      return toResponse(res.code, res.options, res.payload)
    },
    async observe(peer, req, onNotification, onEnd, ctl) {
      const o = await endpoint.observe(
        peer,
        { code: CODES[req.method], options: requestOptions(req), ...(req.payload ? { payload: req.payload } : {}) },
        (n) => onNotification({ ...toResponse(n.code, n.options, n.payload), observe: n.sequence }),
        requestControl(ctl, true)
      )
      void o.ended.then((end) => onEnd(end.reason === 'server' ? `the device ended it (${end.response.code >> 5}.${String(end.response.code & 31).padStart(2, '0')})` : end.reason))
      const first = toResponse(o.response.code, o.response.options, o.response.payload)
      return { first: o.registered ? first : { ...first, observe: null }, cancel: (how) => o.cancel(how) }
    }
  }
}
