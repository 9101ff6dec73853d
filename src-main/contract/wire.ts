// SPDX-License-Identifier: Apache-2.0
// How the WebSocket carrier is reached: shared by the headless server, the CLI and the renderer.
export const WS_PATH = '/rpc'
export const WS_SUBPROTOCOL = 'lwm2m-wb.v1'
/** The token travels as a second offered subprotocol, "bearer.<token>" (browsers cannot set headers). */
export const WS_TOKEN_PREFIX = 'bearer.'
