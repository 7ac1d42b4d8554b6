/**
 * Where `npm run k8s:generate` writes the manifests: the generator writes
 * there, and `npm run affected` maps a change there back to its function.
 */
export const GENERATED_DIR = "k8s/base/generated";

/** A function's own manifests. */
export function functionManifestPath(appId: string): string {
  return `${GENERATED_DIR}/functions/${appId}.yaml`;
}

/** The app id of the migration Job and its image, beside the functions' app ids. */
export const MIGRATE = "migrate";

export const MIGRATE_MANIFEST_PATH = `${GENERATED_DIR}/migrate-job.yaml`;
