/// <reference types="vite/client" />
import type { BridgeApi } from '@contract/bridge'

declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}

declare global {
  interface Window {
    /** Present only inside the Electron shell (set by the preload). */
    workbench?: BridgeApi
  }
}
