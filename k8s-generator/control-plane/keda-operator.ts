/**
 * The real KEDA operator (built from github.com/kedacore/keda/v2/cmd/operator
 * by build.sh), run outside a cluster: pointed at the test API server by a
 * kubeconfig, every listener on a free loopback port, no certificate or
 * webhook management (nothing here serves webhooks).
 */
import { freePort } from "../../toolkit/net.js";
import { answers, type Launched, launch } from "../../toolkit/process.js";

export async function startKedaOperator(bin: string, kubeconfig: string, log: (line: string) => void): Promise<Launched> {
  const [metrics, health, grpc] = [await freePort(), await freePort(), await freePort()];
  return launch({
    name: "keda-operator",
    command: bin,
    args: [
      `--metrics-bind-address=127.0.0.1:${metrics}`,
      `--health-probe-bind-address=127.0.0.1:${health}`,
      `--metrics-service-bind-address=127.0.0.1:${grpc}`,
      "--enable-cert-rotation=false",
      "--enable-webhook-patching=false",
      "--enable-apiservice-patching=false",
      "--zap-log-level=info",
    ],
    env: { ...process.env, KUBECONFIG: kubeconfig, WATCH_NAMESPACE: "", POD_NAMESPACE: "keda", KEDA_CLUSTER_OBJECT_NAMESPACE: "keda" },
    output: (line) => log(`[keda-operator] ${line}`),
    ready: answers(health, "/readyz"),
    readyTimeoutMs: 120_000,
    readyIntervalMs: 500,
  });
}
