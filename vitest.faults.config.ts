import { defineConfig } from "vitest/config";

// `npm run test:faults`: e2e/faults/, one scenario per file, one at a time (each
// starts the whole stack and then breaks a piece of it); one table at the end.
// Scenarios that still fail on the code, kept out of the CI run until their defect is fixed
// (README → Reliability says what each one finds; issue 9 stays open for them). Run one as
// its file alone after deleting its line here.
const STILL_FAILING = [
  "e2e/faults/database-outage.test.ts", // daprd 1.18 never resubscribes onTaskCompleted after the outage when deliveries were in flight as it turned unhealthy
];

export default defineConfig({
  test: {
    include: ["e2e/faults/**/*.test.ts"],
    exclude: STILL_FAILING,
    globalSetup: ["e2e/faults/table.ts"],
    fileParallelism: false,
    // A scenario drives thousands of events through a fault and waits for recovery.
    testTimeout: 300_000,
    // Starting the stack on a busy 2-core machine: build, PostgreSQL, Kafka, a function and a daprd per app.
    hookTimeout: 240_000,
    teardownTimeout: 60_000,
  },
});
