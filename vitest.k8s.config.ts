import { defineConfig } from "vitest/config";

// `npm run test:k8s`: the manifests on a real kube-apiserver + etcd, and the
// real KEDA operator against it and a real Kafka (k8s-generator/control-plane/). One file
// at a time: each starts a control plane.
export default defineConfig({
  test: {
    include: ["k8s-generator/control-plane/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 300_000,
    teardownTimeout: 60_000,
  },
});
