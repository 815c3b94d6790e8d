import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup-env.ts'],
    // A budget, not an assertion: on two shared cores, while the kill tests' JVMs and the 50-writer
    // concurrency tests run beside them, a test that takes 9 s alone has taken over 30 s.
    testTimeout: 60_000,
    hookTimeout: 90_000,
    // expect.poll waits for something that will happen (a page after a redirect, a workflow's next
    // state); its default of one second is shorter than a browser round trip on a loaded CI machine.
    // A rule that breaks still fails, only later.
    expect: { poll: { timeout: 15_000 } },
    // Two cores: synth and DynamoDB Local compete for them.
    maxWorkers: 2,
  },
});
