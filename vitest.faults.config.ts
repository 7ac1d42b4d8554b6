import { defineConfig } from "vitest/config";

// `npm run test:faults`: e2e/faults/, one scenario per file, one at a time (each
// starts the whole stack and then breaks a piece of it); one table at the end.
export default defineConfig({
  test: {
    include: ["e2e/faults/**/*.test.ts"],
    globalSetup: ["e2e/faults/table.ts"],
    fileParallelism: false,
    // A scenario drives thousands of events through a fault and waits for recovery.
    testTimeout: 300_000,
    // Starting the stack on a busy 2-core machine: build, PostgreSQL, Kafka, a function and a daprd per app.
    hookTimeout: 240_000,
    teardownTimeout: 60_000,
  },
});
