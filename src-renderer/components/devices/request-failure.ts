// SPDX-License-Identifier: Apache-2.0
// A failed device request in plain words (issue 13 item 4): what happened and what to try, built
// from the contract error's code, message and details plus what we know of the device. Never a raw
// "devices.timeout: …". Structural types only, so it stays a pure, testable function.

export interface FailureInput {
  readonly code?: string
  readonly message: string
  readonly details?: unknown
}

export interface DeviceFacts {
  readonly queueMode: boolean
  readonly lwm2mVersion: string
}

export interface PlainFailure {
  /** What happened. */
  readonly sentence: string
  /** What to try next. */
  readonly hint: string
}

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`

function detail<T>(details: unknown, key: string): T | undefined {
  return details && typeof details === 'object' && key in details ? ((details as Record<string, unknown>)[key] as T) : undefined
}

/** Upper-cases the first letter and ends with a full stop. */
function sentence(text: string): string {
  const t = text.trim().replace(/[.;:]+$/, '')
  return t.charAt(0).toUpperCase() + t.slice(1) + '.'
}

export function plainFailure(e: FailureInput, device: DeviceFacts | null): PlainFailure {
  const queue = device?.queueMode ?? false
  switch (e.code) {
    case 'devices.timeout': {
      const ms = detail<number>(e.details, 'timeoutMs')
      const after = ms !== undefined ? ` after ${seconds(ms)}` : ''
      if (detail<boolean>(e.details, 'acknowledged'))
        return {
          sentence: `The device acknowledged the request but sent no answer${after}.`,
          hint: 'It may still be carrying it out (a reboot or an update takes a while). A late answer will show on the timeline.'
        }
      return {
        sentence: `No answer from the device${after}.`,
        hint: queue
          ? 'It is in queue mode and may have gone back to sleep: a new request waits for its next Update.'
          : 'It may be asleep, out of coverage or at a new address — queue mode is off for this device, so the server expected an answer at once. Check its address and try again.'
      }
    }
    case 'devices.cancelled':
      return {
        sentence: sentence(e.message.startsWith('cancelled') ? e.message : `The request was cancelled: ${e.message}`),
        hint: detail<string>(e.details, 'state') === 'queued' ? 'Nothing reached the device.' : 'If it had been sent, the device may still carry it out; watch the timeline.'
      }
    case 'devices.not_registered':
    case 'devices.not_found':
      return { sentence: 'The device is not registered any more.', hint: 'Wait for it to register again (its timeline below is kept), then retry.' }
    case 'devices.unreachable':
      return { sentence: sentence(`The device could not be reached: ${e.message}`), hint: 'It refused or dropped the request. Check that it is running and that its address is current.' }
    case 'devices.invalid_request':
      return { sentence: sentence(`The request was not sent: ${e.message}`), hint: 'Correct the input and try again.' }
    case 'server.not_running':
      return { sentence: 'The LwM2M Server is not listening.', hint: 'Start the workbench without --no-coap to talk to devices.' }
    case undefined:
      return { sentence: sentence(e.message), hint: 'Check the connection to the workbench and try again.' }
    default:
      return { sentence: sentence(e.message), hint: 'Try again; if it keeps failing, the log has the details.' }
  }
}
