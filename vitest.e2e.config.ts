import { defineConfig } from "vitest/config";

// `npm run test:e2e`: e2e/ and the *.e2e.test.ts beside the code they check, one file, one target at a time (each starts a
// dozen processes), with the unit tests' PostgreSQL (test/global-setup.ts).
export default defineConfig({
  test: {
    include: ["e2e/**/*.test.ts", "**/*.e2e.test.ts"],
    // The fault suite has its own run (vitest.faults.config.ts).
    exclude: ["node_modules/**", "e2e/faults/**"],
    globalSetup: ["test/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    // Starting a target: build, Kafka, a function and a daprd per app.
    hookTimeout: 240_000,
    teardownTimeout: 60_000,
  },
});
