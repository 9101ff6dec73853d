// core/ is type-checked with `lib: ES2022` and no `types`: it cannot see Node, Electron or the DOM.
// The few web-standard globals it uses are declared here, and nothing else.
declare class TextEncoder {
  encode(input?: string): Uint8Array
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean })
  decode(input?: Uint8Array, options?: { stream?: boolean }): string
}
