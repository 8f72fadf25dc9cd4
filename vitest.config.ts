import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup/aws-rules.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Most test files wait on the processes they start (wf, bash, python3, servers): two files at a
    // time keep a 2-core machine busy (vitest's default there is one).
    maxWorkers: 2,
  },
});
