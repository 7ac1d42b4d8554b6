/**
 * A real Kubernetes control plane on loopback for `npm run test:k8s`: etcd and
 * kube-apiserver built from their Go modules (build.sh), certificates made
 * here with openssl, one admin token. No scheduler, controller manager or
 * kubelet: objects are stored and validated, pods never run.
 */
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { freePort } from "../../toolkit/net.js";
import { type Launched, launch } from "../../toolkit/process.js";
import { type KubeClient, kubeClient } from "./kube-client.js";

const run = promisify(execFile);
const BUILD = fileURLToPath(new URL("build.sh", import.meta.url));

export type Tool = "etcd" | "kube-apiserver" | "keda-operator";

/** The tool's binary, built by build.sh once per version (cached). */
export async function binary(tool: Tool): Promise<string> {
  const { stdout } = await run("bash", [BUILD, tool], { maxBuffer: 1024 * 1024, timeout: 60 * 60_000 });
  const path = stdout.trim();
  if (!path) throw new Error(`build.sh ${tool} printed no binary`);
  return path;
}

export interface ControlPlane {
  client: KubeClient;
  /** A kubeconfig file for the admin token (what the KEDA operator is pointed at). */
  kubeconfig: string;
  stop(): Promise<void>;
}

async function openssl(dir: string, ...args: string[]): Promise<void> {
  await run("openssl", args, { cwd: dir });
}

/** A CA, the API server's serving certificate for 127.0.0.1, and the service-account signing key. */
async function makeCertificates(dir: string): Promise<void> {
  await openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=taskfn-test-ca");
  await openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "apiserver.key", "-out", "apiserver.csr", "-subj", "/CN=kube-apiserver");
  writeFileSync(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  await openssl(
    dir,
    "x509",
    "-req",
    "-in",
    "apiserver.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "apiserver.crt",
    "-days",
    "1",
    "-extfile",
    "san.ext",
  );
  await openssl(dir, "genrsa", "-out", "sa.key", "2048");
  await openssl(dir, "rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub");
}

export async function startControlPlane(dir: string, log: (line: string) => void): Promise<ControlPlane> {
  const etcdBinary = await binary("etcd");
  const apiserverBinary = await binary("kube-apiserver");
  mkdirSync(dir, { recursive: true });
  await makeCertificates(dir);
  const token = `taskfn-test-${process.pid}-${Date.now()}`;
  writeFileSync(join(dir, "tokens.csv"), `${token},admin,admin,system:masters\n`);

  const [client, peer, secure] = [await freePort(), await freePort(), await freePort()];
  const url = `https://127.0.0.1:${secure}`;
  const ca = join(dir, "ca.crt");
  const kube = kubeClient({ url, token, caFile: ca });
  const output = (name: string) => (line: string) => log(`[${name}] ${line}`);
  const etcd = await launch({
    name: "etcd",
    command: etcdBinary,
    env: process.env,
    output: output("etcd"),
    args: [
      "--name=test",
      `--data-dir=${join(dir, "etcd")}`,
      `--listen-client-urls=http://127.0.0.1:${client}`,
      `--advertise-client-urls=http://127.0.0.1:${client}`,
      `--listen-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-cluster=test=http://127.0.0.1:${peer}`,
    ],
  });
  let apiserver: Launched;
  try {
    apiserver = await launch({
      name: "kube-apiserver",
      command: apiserverBinary,
      env: process.env,
      output: output("kube-apiserver"),
      ready: async () => (await kube.request("GET", "/readyz")).status === 200,
      readyTimeoutMs: 180_000,
      readyIntervalMs: 500,
      args: [
        `--etcd-servers=http://127.0.0.1:${client}`,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        // The kubernetes Service's endpoints would point at loopback, which the reconciler refuses.
        "--endpoint-reconciler-type=none",
        `--secure-port=${secure}`,
        `--cert-dir=${join(dir, "serving")}`,
        `--tls-cert-file=${join(dir, "apiserver.crt")}`,
        `--tls-private-key-file=${join(dir, "apiserver.key")}`,
        `--client-ca-file=${join(dir, "ca.crt")}`,
        `--token-auth-file=${join(dir, "tokens.csv")}`,
        "--authorization-mode=RBAC",
        "--service-account-issuer=https://kubernetes.default.svc",
        `--service-account-key-file=${join(dir, "sa.pub")}`,
        `--service-account-signing-key-file=${join(dir, "sa.key")}`,
        // Only allocated from (ClusterIPs are stored, never routed: no kube-proxy runs).
        "--service-cluster-ip-range=10.96.0.0/24",
      ],
    });
  } catch (error) {
    await etcd.stop();
    throw error;
  }
  const stop = async () => {
    await apiserver.stop();
    await etcd.stop();
  };
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "test", cluster: { server: url, "certificate-authority": ca } }],
      users: [{ name: "admin", user: { token } }],
      contexts: [{ name: "test", context: { cluster: "test", user: "admin" } }],
      "current-context": "test",
    }),
  );
  return { client: kube, kubeconfig, stop };
}
