/**
 * The Job that runs `prisma migrate deploy` (the Dockerfile's `migrate` target)
 * before functions that need the new schema roll out. deploy.yml deletes and
 * re-applies it, because a Job's pod template cannot change in place.
 */
import { Job } from "kubernetes-models/batch/v1";
import { databaseUrlEnv } from "./deployment.js";
import { labelsOf } from "./labels.js";
import { containerSecurityContext, podSecurityContext, tmpMount, tmpVolume } from "./pod-security.js";
import { IMAGE_TAG, MIGRATE, imageName } from "./settings.js";

const MIGRATE_JOB_NAME = "taskfn-migrate";

export function migrateJob(): Job {
  return new Job({
    metadata: { name: MIGRATE_JOB_NAME, labels: labelsOf(MIGRATE, "migration") },
    spec: {
      backoffLimit: 2,
      activeDeadlineSeconds: 600,
      template: {
        metadata: { labels: labelsOf(MIGRATE, "migration") },
        spec: {
          restartPolicy: "Never",
          securityContext: podSecurityContext,
          containers: [
            {
              name: MIGRATE,
              image: `${imageName(MIGRATE)}:${IMAGE_TAG}`,
              env: [
                databaseUrlEnv,
                // The CLI must not phone home or write outside the /tmp volume.
                { name: "CHECKPOINT_DISABLE", value: "1" },
                { name: "HOME", value: "/tmp" },
              ],
              resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
              securityContext: containerSecurityContext,
              volumeMounts: [tmpMount],
            },
          ],
          volumes: [tmpVolume],
        },
      },
    },
  });
}
