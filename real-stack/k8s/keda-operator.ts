/**
 * The real KEDA operator (built from github.com/kedacore/keda/v2/cmd/operator
 * by build.sh), run outside a cluster: pointed at the test API server by a
 * kubeconfig, every listener on a free loopback port, no certificate or
 * webhook management (nothing here serves webhooks).
 */
import { spawn } from "node:child_process";
import { captureLines, freePort, killOnExit, terminate, waitFor } from "../../infra/net.js";

export interface RunningOperator {
  logs: () => string;
  stop(): Promise<void>;
}

export async function startKedaOperator(bin: string, kubeconfig: string, log: (line: string) => void): Promise<RunningOperator> {
  const [metrics, health, grpc] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(
    bin,
    [
      `--metrics-bind-address=127.0.0.1:${metrics}`,
      `--health-probe-bind-address=127.0.0.1:${health}`,
      `--metrics-service-bind-address=127.0.0.1:${grpc}`,
      "--enable-cert-rotation=false",
      "--enable-webhook-patching=false",
      "--enable-apiservice-patching=false",
      "--zap-log-level=info",
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, KUBECONFIG: kubeconfig, WATCH_NAMESPACE: "", POD_NAMESPACE: "keda", KEDA_CLUSTER_OBJECT_NAMESPACE: "keda" } },
  );
  const tail = captureLines(child, (line) => log(`[keda-operator] ${line}`), 80);
  const forget = killOnExit(child);
  const stop = async () => {
    await terminate(child, 10_000);
    forget();
  };
  try {
    await waitFor("KEDA operator /readyz", 120_000, async () => ((await fetch(`http://127.0.0.1:${health}/readyz`).catch(() => undefined))?.ok ? true : undefined), {
      intervalMs: 500,
      abort: () => (child.exitCode !== null ? `exited with ${child.exitCode}` : undefined),
      describe: tail,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { logs: tail, stop };
}
