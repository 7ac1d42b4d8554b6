/** `kustomize build` of an overlay, parsed into objects. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { type Manifest, parseManifests } from "./manifest.js";

const run = promisify(execFile);

export const OVERLAYS = ["dev", "prod"] as const;
export type Overlay = (typeof OVERLAYS)[number];

function overlayDir(overlay: Overlay): string {
  return fileURLToPath(new URL(`../k8s/overlays/${overlay}`, import.meta.url));
}

export async function renderOverlay(kustomize: string, overlay: Overlay): Promise<Manifest[]> {
  const { stdout } = await run(kustomize, ["build", overlayDir(overlay)], { maxBuffer: 64 * 1024 * 1024 });
  return parseManifests(stdout);
}
