// SPDX-License-Identifier: Apache-2.0
// Runs a TypeScript benchmark from test/bench straight from source with Node 24:
// `npx node test/bench/run.mjs formats` (npx picks the project's Node 24; the lead's
// `npm run bench -- formats` can call this). core/ uses extensionless imports and
// TypeScript parameter properties, which Node 24's built-in type stripping alone does not run, so
// two module hooks fill the gap: resolve "./x" to "./x.ts", and load .ts files through
// module.stripTypeScriptTypes in 'transform' mode. No bundler, nothing written to disk.
import { readFileSync } from 'node:fs'
import * as nodeModule from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'

const { registerHooks, stripTypeScriptTypes } = nodeModule
if (typeof registerHooks !== 'function' || typeof stripTypeScriptTypes !== 'function') {
  console.error(`node ${process.version} lacks module.registerHooks/stripTypeScriptTypes: run with Node 24 (npx node test/bench/run.mjs …)`)
  process.exit(2)
}

// The transform is experimental in Node 24; one warning per run says nothing the header does not.
const emitWarning = process.emitWarning
process.emitWarning = (warning, ...rest) => {
  if (String(warning).includes('stripTypeScriptTypes')) return
  emitWarning.call(process, warning, ...rest)
}

registerHooks({
  resolve(specifier, context, nextResolve) {
    if ((specifier.startsWith('.') || specifier.startsWith('/')) && !/\.[cm]?[jt]s$/.test(specifier)) {
      try {
        return nextResolve(specifier + '.ts', context)
      } catch {
        // not a .ts sibling: fall through to the default resolution
      }
    }
    return nextResolve(specifier, context)
  },
  load(url, context, nextLoad) {
    if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context)
    const source = readFileSync(fileURLToPath(url), 'utf8')
    return { format: 'module', source: stripTypeScriptTypes(source, { mode: 'transform', sourceUrl: url }), shortCircuit: true }
  }
})

const name = process.argv[2] ?? 'formats'
if (!/^[a-z0-9-]+$/.test(name)) {
  console.error(`usage: node test/bench/run.mjs <bench name>, e.g. formats`)
  process.exit(2)
}
await import(pathToFileURL(fileURLToPath(new URL(`./${name}.ts`, import.meta.url))).href)
