/**
 * Which images a change rebuilds and which manifests it re-applies, from the
 * changed files alone: the pure core of `npm run affected`.
 */
import type { FunctionBundle } from "../toolkit/bundle-inputs.js";
import { MIGRATE, MIGRATE_MANIFEST_PATH, functionManifestPath } from "../toolkit/manifest-paths.js";

export interface Affected {
  /** Images rebuilt (app ids, and `migrate`); every other image is retagged from the last deploy. */
  images: string[];
  /** App ids whose manifests are applied (their image rebuilt, or only their objects changed), in catalog order. */
  functions: string[];
  /** The migration Job runs before the functions roll out. */
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
  const all = bundles.map((bundle) => bundle.appId);
  return { images: [...all, MIGRATE], functions: all, migrate: true, platform: true };
}

export function affectedFunctions(changedFiles: readonly string[], bundles: readonly FunctionBundle[]): Affected {
  const rebuilt = new Set<string>();
  const applied = new Set<string>();
  let migrateImage = false;
  let migrate = false;
  let platform = false;
  const rebuild = (selected: readonly FunctionBundle[]) => selected.forEach((bundle) => rebuilt.add(bundle.appId));
  const apply = (selected: readonly FunctionBundle[]) => selected.forEach((bundle) => applied.add(bundle.appId));

  for (const file of changedFiles) {
    if (IMAGE_INPUTS.has(file)) {
      rebuild(bundles);
      migrateImage = migrate = true;
    } else if (TRANSFORMING_MANIFESTS.test(file)) {
      // New objects, same images: every manifest is applied, nothing rebuilt.
      apply(bundles);
      migrate = platform = true;
    } else if (BUNDLER_INPUTS.has(file)) {
      rebuild(bundles);
    } else if (PRISMA.test(file)) {
      // Migrations change what the functions' SQL runs against: roll them out after it.
      rebuild(bundles.filter(usesDatabase));
      migrateImage = migrate = true;
    } else if (file === MIGRATE_MANIFEST_PATH) {
      migrate = true;
    } else {
      const importers = bundles.filter((bundle) => bundle.inputs.includes(file));
      const owners = bundles.filter((bundle) => file === functionManifestPath(bundle.appId));
      rebuild(importers);
      apply(owners);
      platform ||= importers.length === 0 && owners.length === 0 && PLATFORM_MANIFESTS.test(file);
    }
  }
  const inOrder = (set: Set<string>) => bundles.map((bundle) => bundle.appId).filter((appId) => set.has(appId));
  return {
    images: [...inOrder(rebuilt), ...(migrateImage ? [MIGRATE] : [])],
    functions: inOrder(new Set([...rebuilt, ...applied])),
    migrate,
    platform,
  };
}
