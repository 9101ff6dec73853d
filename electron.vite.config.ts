// Three Electron targets (main, preload, renderer) from the src-main/src-renderer layout, plus the
// `lwm2m-wb` CLI (which carries the headless server) as a second entry of the main build, so that
// headless and desktop share one renderer build in out/renderer.
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'electron-vite'
import { resolve } from 'node:path'
import type { Plugin } from 'vite'

/**
 * Both shells serve the UI from an origin root (app://workbench/, http://host:port/), and
 * history-mode routes such as /models/3303 need absolute asset URLs to survive a reload.
 * electron-vite forces base './' for file:// loading, which we do not use; this runs after it.
 */
function absoluteBase(): Plugin {
  return {
    name: 'workbench:absolute-base',
    enforce: 'post',
    config(config) {
      config.base = '/'
    }
  }
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve('src-main/electron/index.ts'),
          cli: resolve('src-main/cli/main.ts')
        }
      }
    }
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot require() packages: bundle everything, emit CommonJS.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src-main/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: 'src-renderer',
    resolve: {
      alias: {
        '@renderer': resolve('src-renderer'),
        '@contract': resolve('src-main/contract')
      }
    },
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve('src-renderer/index.html') } }
    },
    plugins: [vue(), absoluteBase()]
  }
})
