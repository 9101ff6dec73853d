// The layer rules of DESIGN.md are enforced by lint; this proves the rule bites (a rule that never
// fires would pass silently) and that allowed imports stay allowed.
import { describe, expect, it } from 'vitest'
import { ESLint } from 'eslint'
import { ROOT } from '../helpers/cli'

const eslint = new ESLint({ cwd: ROOT })

async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}/${file}` })
  return (result?.messages ?? []).filter((m) => /restricted|no-restricted/.test(m.ruleId ?? '')).map((m) => m.message)
}

const cases: [string, string, boolean][] = [
  ['src-main/core/lwm2m/x.ts', "import { readFileSync } from 'node:fs'\nexport const x = readFileSync", false],
  ['src-main/core/lwm2m/x.ts', "import { a } from '../../services/y'\nexport const x = a", false],
  ['src-main/core/lwm2m/x.ts', "import { decode } from 'cbor-x'\nexport const x = decode", true],
  ['src-main/core/lwm2m/x.ts', "import { formatPath } from './path'\nexport const x = formatPath", true],
  ['src-main/core/coap/x.ts', "import { formatPath } from '../lwm2m/path'\nexport const x = formatPath", false],
  ['src-main/core/cbor/x.ts', "import type { Path } from '../lwm2m/path'\nexport type X = Path", false],
  ['src-main/core/json/x.ts', "import { CF } from '../lwm2m/content-format'\nexport const x = CF", false],
  ['src-main/core/coap/x.ts', "import { readFileSync } from 'node:fs'\nexport const x = readFileSync", false],
  ['src-main/core/coap/x.ts', "import { ViolationList } from '../violation'\nexport const x = ViolationList", true],
  ['src-main/core/lwm2m/x.ts', "import { ViolationList } from '../violation'\nexport const x = ViolationList", true],
  ['src-main/core/dtls/x.ts', "import { formatPath } from '../lwm2m/path'\nexport const x = formatPath", false],
  ['src-main/core/dtls/x.ts', "import { decodeMessage } from '../coap/codec'\nexport const x = decodeMessage", false],
  ['src-main/core/dtls/x.ts', "import { randomBytes } from 'node:crypto'\nexport const x = randomBytes", false],
  ['src-main/core/dtls/x.ts', "import type { Crypto } from '../crypto'\nexport type X = Crypto", true],
  ['src-main/contract/x.ts', "import type { Path } from '../core/lwm2m/path'\nexport type X = Path", true],
  ['src-main/contract/x.ts', "import { formatPath } from '../core/lwm2m/path'\nexport const x = formatPath", false],
  ['src-main/services/x.ts', "import { app } from 'electron'\nexport const x = app", false],
  ['src-main/services/x.ts', "import { readFileSync } from 'node:fs'\nexport const x = readFileSync", true],
  ['src-main/headless/x.ts', "import { openDatabase } from '../store/database'\nexport const x = openDatabase", false],
  ['src-main/electron/x.ts', "import { app } from 'electron'\nimport { createWorkbench } from '../services/workbench'\nexport const x = [app, createWorkbench]", true],
  ['src-main/preload/x.ts', "import { readFileSync } from 'node:fs'\nexport const x = readFileSync", false],
  ['src-renderer/pages/X.ts', "import { createWorkbench } from '../../src-main/services/workbench'\nexport const x = createWorkbench", false],
  ['src-renderer/pages/X.ts', 'export const x = window.workbench', false],
  ['src-renderer/backend/x.ts', 'export const x = window.workbench', true]
]

describe('DESIGN.md dependency rules (lint boundary)', () => {
  for (const [file, code, allowed] of cases) {
    it(`${file}: ${code.split('\n')[0]} → ${allowed ? 'allowed' : 'refused'}`, async () => {
      const errors = await boundaryErrors(file, code)
      if (allowed) expect(errors).toEqual([])
      else expect(errors.length).toBeGreaterThan(0)
    })
  }
})

// DESIGN.md "Layers": the lower core layers never import core/lwm2m. This reads the real tree, so a
// type-only import (which the bundle would drop) is caught as well as a value import.
describe('core/coap, core/cbor, core/json and core/dtls do not import core/lwm2m', () => {
  it('no file under them names ../lwm2m in an import', async () => {
    const { readdirSync, readFileSync } = await import('node:fs')
    const { join } = await import('node:path')
    const offenders: string[] = []
    for (const layer of ['coap', 'cbor', 'json', 'dtls']) {
      const dir = join(ROOT, 'src-main/core', layer)
      for (const f of readdirSync(dir, { recursive: true }) as string[]) {
        if (!f.endsWith('.ts')) continue
        const text = readFileSync(join(dir, f), 'utf8')
        if (/(from\s+|import\()\s*['"][./]*\/lwm2m\//.test(text)) offenders.push(`${layer}/${f}`)
      }
    }
    expect(offenders).toEqual([])
  })

  it('no file under core/dtls names ../coap in an import (DTLS sits under CoAP)', async () => {
    const { readdirSync, readFileSync } = await import('node:fs')
    const { join } = await import('node:path')
    const dir = join(ROOT, 'src-main/core/dtls')
    const offenders = (readdirSync(dir, { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts') && /(from\s+|import\()\s*['"][./]*\/coap\//.test(readFileSync(join(dir, f), 'utf8')))
    expect(offenders).toEqual([])
  })
})
