import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    // e2e/ and *.e2e.test.ts run real daprd + Kafka: `npm run test:e2e`; k8s-generator/control-plane/ a control plane: `npm run test:k8s`.
    exclude: ["node_modules/**", "dist/**", "e2e/**", "**/*.e2e.test.ts", "generated/**", "k8s-generator/control-plane/**"],
    globalSetup: ["test/global-setup.ts"],
    env: { LOG_LEVEL: "silent" },
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
