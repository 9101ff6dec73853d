// Lint, including the layer boundaries of DESIGN.md ("Dependency rules"): each folder may import
// only what its row allows. tsconfig.core.json backs up core/'s purity at the type level.
import js from '@eslint/js'
import pluginVue from 'eslint-plugin-vue'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const NODE_BUILTINS = [
  'assert', 'buffer', 'child_process', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises', 'http',
  'https', 'module', 'net', 'os', 'path', 'process', 'readline', 'sqlite', 'stream', 'timers', 'tls',
  'url', 'util', 'worker_threads', 'zlib'
]
// Relative imports only: a bare package named like a folder (e.g. 'electron') is handled by `paths`.
const folder = (...names) => `^\\.{1,2}/(.*/)?(${names.join('|')})(/|$)`

/** One boundary: files under `files` may not import what `forbid` lists. */
function boundary(files, forbid, extra = []) {
  return {
    files,
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: forbid.paths ?? [], patterns: [...(forbid.patterns ?? []), ...extra] }]
    }
  }
}
const noNode = [{ regex: '^node:', message: 'no Node built-ins in this layer (DESIGN.md dependency rules)' }]
const noNodeBare = NODE_BUILTINS.map((name) => ({ name, message: 'no Node built-ins in this layer' }))
const noElectron = [{ name: 'electron', message: 'only src-main/electron and the preload may import electron' }]

/** A layer inside core/: core/'s own rule plus the core/ folders above it. */
function lowerCore(files, above, message) {
  return boundary(files, {
    paths: [...noNodeBare, ...noElectron, 'ws', 'vue', 'pinia', 'serialport'].map((p) => (typeof p === 'string' ? { name: p, message: 'core/ is pure' } : p)),
    patterns: [
      ...noNode,
      { regex: folder('contract', 'services', 'store', 'transports', 'electron', 'headless', 'cli', 'preload'), message: 'core/ imports only core/' },
      { regex: folder(...above), message }
    ]
  })
}

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'scratch/**', 'test-results/**', 'resources/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } }
  },
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2024, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Protocol code matches control characters on purpose (link format, text payloads).
      'no-control-regex': 'off',
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/block-lang': ['error', { script: { lang: 'ts' } }]
    }
  },
  { files: ['src-renderer/**'], languageOptions: { globals: { ...globals.browser } } },

  // core/: pure. Only core/ and I/O-free libraries.
  boundary(['src-main/core/**'], {
    paths: [...noNodeBare, ...noElectron, 'ws', 'vue', 'pinia', 'serialport'].map((p) => (typeof p === 'string' ? { name: p, message: 'core/ is pure' } : p)),
    patterns: [...noNode, { regex: folder('contract', 'services', 'store', 'transports', 'electron', 'headless', 'cli', 'preload'), message: 'core/ imports only core/' }]
  }),
  // Inside core/, the lower layers (CoAP, CBOR, JSON, DTLS) never reach up into LwM2M (DESIGN.md: what
  // they share sits at the core/ root), and DTLS, a record layer under CoAP, never reaches CoAP
  // either. Repeats the core/ rule because a later block replaces it.
  lowerCore(['src-main/core/coap/**', 'src-main/core/cbor/**', 'src-main/core/json/**'], ['lwm2m'],
    'core/coap, core/cbor and core/json never import core/lwm2m (shared types live at the core/ root)'),
  lowerCore(['src-main/core/dtls/**'], ['lwm2m', 'coap'],
    'core/dtls never imports core/lwm2m or core/coap (shared types live at the core/ root)'),
  // contract/: nothing, or types from core/.
  boundary(['src-main/contract/**'], {
    patterns: [
      { regex: '^[^.]', message: 'contract/ imports no packages' },
      { regex: folder('services', 'store', 'transports', 'electron', 'headless', 'cli', 'preload'), message: 'contract/ depends on nothing' },
      { regex: folder('core'), allowTypeImports: true, message: 'contract/ may only `import type` from core/' }
    ]
  }),
  // transports/: core, Node, native modules.
  boundary(['src-main/transports/**'], {
    paths: noElectron,
    patterns: [{ regex: folder('contract', 'services', 'store', 'electron', 'headless', 'cli', 'preload'), message: 'transports/ may import core/, Node and native modules only' }]
  }),
  // services/, store/: core, contract, transports, Node; never electron.
  boundary(['src-main/services/**', 'src-main/store/**'], {
    paths: noElectron,
    patterns: [{ regex: folder('electron', 'headless', 'cli', 'preload'), message: 'services/ and store/ never depend on a shell' }]
  }),
  // electron/: services, contract, electron.
  boundary(['src-main/electron/**'], {
    patterns: [{ regex: folder('core', 'store', 'transports', 'headless', 'cli', 'preload'), message: 'electron/ reaches the app only through services/ and contract/' }]
  }),
  // headless/, cli/: services, contract, Node; never electron.
  boundary(['src-main/headless/**', 'src-main/cli/**'], {
    paths: noElectron,
    patterns: [{ regex: folder('core', 'store', 'transports', 'electron', 'preload'), message: 'headless/ and cli/ reach the app only through services/ and contract/' }]
  }),
  // preload/: electron and the contract's bridge definitions only.
  boundary(['src-main/preload/**'], {
    paths: noNodeBare,
    patterns: [...noNode, { regex: folder('core', 'services', 'store', 'transports', 'electron', 'headless', 'cli'), message: 'the preload exposes invoke/on and nothing else' }]
  }),
  // src-renderer/: contract, DOM; never Node, Electron or main-process code.
  boundary(['src-renderer/**'], {
    paths: [...noNodeBare, ...noElectron],
    patterns: [...noNode, { regex: '(^|/)src-main/(?!contract/)', message: 'the renderer sees only contract/ (via @contract)' }, { regex: folder('services', 'store', 'transports', 'headless', 'cli', 'preload', 'core'), message: 'the renderer sees only contract/' }]
  }),
  {
    files: ['src-renderer/**'],
    ignores: ['src-renderer/backend/**', 'src-renderer/env.d.ts'],
    rules: {
      'no-restricted-syntax': ['error', { selector: "MemberExpression[object.name='window'][property.name='workbench']", message: 'only src-renderer/backend/ talks to the main process' }]
    }
  }
)
