// SPDX-License-Identifier: Apache-2.0
// One CSP for the renderer in both shells (Electron's app:// handler and the headless HTTP server).
// Element Plus ships static CSS and Vue sets styles through CSSOM, so no 'unsafe-inline' is needed;
// 'self' covers ws:// to the same host under CSP Level 3, which the WebSocket carrier uses.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'"
].join('; ')
