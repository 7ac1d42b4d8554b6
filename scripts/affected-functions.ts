/**
 * Which images a change rebuilds and which manifests it re-applies, from the
 * changed files alone: the pure core of `npm run affected`.
 */
import { MIGRATE_MANIFEST_PATH, functionManifestPath } from "../toolkit/manifest-paths.js";

export interface FunctionBundle {
  appId: string;
  /** Repository-relative paths of every file esbuild read into the bundle. */
  inputs: readonly string[];
}

export interface Affected {
  /** App ids whose image is rebuilt and whose manifests are applied, in catalog order. */
  functions: string[];
  /** The migrate image is rebuilt and the migration Job runs before the functions roll out. */
  migrate: boolean;
  /** Objects of no single function (Kafka, Dapr components, Gateway…) are re-applied. */
  platform: boolean;
}

/** They decide how every image is built: the functions' and the migrate one. */
const IMAGE_INPUTS = new Set(["Dockerfile", ".dockerignore", "package.json", "package-lock.json"]);
/** They decide how every bundle is built. */
const BUNDLER_INPUTS = new Set(["toolkit/build.ts", "tsconfig.json"]);
const PRISMA = /^prisma\/|^prisma\.config\.ts$/;
/** Kustomizations and patches that may change any rendered object. */
const TRANSFORMING_MANIFESTS = /^k8s\/overlays\/|^k8s\/base\/kustomization\.yaml$|^k8s\/components\/[^/]+\/kustomization\.yaml$/;
const PLATFORM_MANIFESTS = /^k8s\/.*\.ya?ml$|^dapr\//;

/** Every function that talks to the database bundles the runtime's database module. */
function usesDatabase(bundle: FunctionBundle): boolean {
  return bundle.inputs.includes("runtime/database.ts");
}

export function everything(bundles: readonly FunctionBundle[]): Affected {
  return { functions: bundles.map((bundle) => bundle.appId), migrate: true, platform: true };
}

export function affectedFunctions(changedFiles: readonly string[], bundles: readonly FunctionBundle[]): Affected {
  const functions = new Set<string>();
  let migrate = false;
  let platform = false;
  const add = (selected: readonly FunctionBundle[]) => selected.forEach((bundle) => functions.add(bundle.appId));

  for (const file of changedFiles) {
    if (IMAGE_INPUTS.has(file) || TRANSFORMING_MANIFESTS.test(file)) {
      add(bundles);
      migrate = true;
      platform ||= TRANSFORMING_MANIFESTS.test(file);
    } else if (BUNDLER_INPUTS.has(file)) {
      add(bundles);
    } else if (PRISMA.test(file)) {
      // Migrations change what the functions' SQL runs against: roll them out after it.
      add(bundles.filter(usesDatabase));
      migrate = true;
    } else if (file === MIGRATE_MANIFEST_PATH) {
      migrate = true;
    } else {
      const owners = bundles.filter((bundle) => file === functionManifestPath(bundle.appId) || bundle.inputs.includes(file));
      add(owners);
      platform ||= owners.length === 0 && PLATFORM_MANIFESTS.test(file);
    }
  }
  return { functions: bundles.map((bundle) => bundle.appId).filter((appId) => functions.has(appId)), migrate, platform };
}
