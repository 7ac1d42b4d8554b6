/**
 * The real KEDA operator (built from github.com/kedacore/keda/v2/cmd/operator
 * by build.sh), run outside a cluster: pointed at the test API server by a
 * kubeconfig, every listener on a free loopback port, no certificate or
 * webhook management (nothing here serves webhooks).
 */
import { execFile } from "node:child_process";
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "../../toolkit/net.js";
import { answers, type Launched, launch } from "../../toolkit/process.js";

const run = promisify(execFile);

/**
 * The operator's metrics gRPC service will not start without ca.crt, tls.crt
 * and tls.key in its cert dir (in a cluster, a Secret KEDA makes); nothing
 * here connects to it, so one self-signed certificate serves as all three.
 */
async function makeCertDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const [cert, key] = [join(dir, "tls.crt"), join(dir, "tls.key")];
  await run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    key,
    "-out",
    cert,
    "-days",
    "1",
    "-subj",
    "/CN=keda-operator",
    "-addext",
    "subjectAltName=IP:127.0.0.1",
  ]);
  await copyFile(cert, join(dir, "ca.crt"));
  return dir;
}

/** `dir`: a scratch folder for the operator's certificates. */
export async function startKedaOperator(bin: string, kubeconfig: string, dir: string, log: (line: string) => void): Promise<Launched> {
  const certDir = await makeCertDir(dir);
  const [metrics, health, grpc] = [await freePort(), await freePort(), await freePort()];
  return launch({
    name: "keda-operator",
    command: bin,
    args: [
      `--metrics-bind-address=127.0.0.1:${metrics}`,
      `--health-probe-bind-address=127.0.0.1:${health}`,
      `--metrics-service-bind-address=127.0.0.1:${grpc}`,
      `--cert-dir=${certDir}`,
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
