import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@volley/source'] },
  ssr: { resolve: { conditions: ['@volley/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Socket tests share two cores with everything else on CI machines; forks keep them isolated.
    pool: 'forks',
  },
});
