import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          globalSetup: ['test/helpers/global-setup.ts'],
          include: ['test/core/**/*.test.ts', 'test/main/**/*.test.ts', 'test/contract/**/*.test.ts', 'test/interop/**/*.test.ts', 'test/renderer/**/*.test.ts'],
          environment: 'node',
          // Fuzz and property suites run tens of thousands of cases; on 2 busy cores that takes time.
          testTimeout: 60_000
        }
      },
      {
        test: {
          name: 'e2e',
          globalSetup: ['test/helpers/global-setup.ts'],
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // One Chromium at a time: two cores.
          fileParallelism: false,
          // expect.poll's 1 s default is too short for a UI answering through the server on 2 busy
          // cores (a rename's table refresh missed it once under load average 14).
          expect: { poll: { timeout: 10_000 } }
        }
      }
    ]
  }
})
