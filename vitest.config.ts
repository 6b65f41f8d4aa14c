import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// Two projects: server/contract/sdk tests in Node, panel tests in jsdom.
export default defineConfig({
  plugins: [react()],
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['src/{contract,server,sdk}/**/*.test.ts', 'bench/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
          // Tests share one PostgreSQL server; each file uses its own schema, so files may run in parallel.
          pool: 'forks',
        },
      },
      {
        extends: true,
        test: {
          name: 'web',
          environment: 'jsdom',
          include: ['src/web/**/*.test.{ts,tsx}'],
          setupFiles: ['src/web/test-utils/setup.ts'],
          css: false,
          testTimeout: 20_000,
        },
      },
    ],
  },
});
