/**
 * The restricted Pod Security Standard, shared by every function and the
 * migration Job: numeric non-root user (the image's), no privilege escalation,
 * no capabilities, read-only root filesystem, the runtime's seccomp profile.
 */
import type { IPodSecurityContext, ISecurityContext, IVolume, IVolumeMount } from "kubernetes-models/v1";
import { RUN_AS } from "./settings.js";

export const podSecurityContext: IPodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: RUN_AS,
  runAsGroup: RUN_AS,
  seccompProfile: { type: "RuntimeDefault" },
};

export const containerSecurityContext: ISecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
};

/** The root filesystem is read-only; Node and the Prisma CLI may still want a scratch /tmp. */
export const tmpVolume: IVolume = { name: "tmp", emptyDir: { sizeLimit: "64Mi" } };
export const tmpMount: IVolumeMount = { name: "tmp", mountPath: "/tmp" };
