import type { KnipConfig } from "knip";

// `npm run deps` (part of `npm test`): a package imported but not declared, or
// declared but never imported, fails the run.
export default {
  // Entry points the package.json scripts do not name: function processes, CLIs run by hand, benchmark servers.
  entry: ["functions/*/main.ts", "real-stack/smoke.ts", "scripts/*.ts", "bench/cpuprofile.ts", "bench/sidecar-stub.ts", "bench/servers/*.ts"],
  project: ["**/*.ts"],
  // Only the client `prisma generate` writes to generated/ (gitignored, so knip does not read it) imports @prisma/client.
  ignoreDependencies: ["@prisma/client"],
  // System tools the benchmark and the real stack spawn, not npm packages.
  ignoreBinaries: ["wrk", "java", "strace"],
} satisfies KnipConfig;
