/** The GitHub workflows pass actionlint (installed by toolkit/tools.sh; skipped, saying so, without it) and deploy.yml keeps its guarantees. */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "../toolkit/paths.js";
import { missingToolMessage, toolForTests } from "../toolkit/tools.js";

const actionlint = toolForTests("actionlint");

if (!actionlint) {
  it.skip(`.github/workflows: ${missingToolMessage("actionlint")}`, () => {});
} else {
  it(".github/workflows pass actionlint", async () => {
    // Without arguments actionlint checks every workflow in .github/workflows.
    const result = await promisify(execFile)(actionlint, ["-no-color"], { cwd: ROOT }).then(
      () => "",
      (error: { stdout?: string; message: string }) => error.stdout || error.message,
    );
    expect(result).toBe("");
  });
}

describe("deploy.yml: deploys that cannot be lost", () => {
  interface Step {
    name?: string;
    run?: string;
    uses?: string;
    with?: Record<string, unknown>;
  }
  interface Job {
    if?: string;
    steps: Step[];
  }
  const workflow = parse(readFileSync(join(ROOT, ".github/workflows/deploy.yml"), "utf8")) as {
    on: { workflow_run?: { workflows: string[]; types: string[]; branches: string[] }; push?: unknown; pull_request?: unknown };
    jobs: Record<string, Job>;
  };

  it("runs after CI completed on main, never on a push, and only on a green CI", () => {
    expect(workflow.on.push).toBeUndefined();
    expect(workflow.on.workflow_run).toEqual({ workflows: ["CI"], types: ["completed"], branches: ["main"] });
    expect(workflow.jobs.plan!.if).toContain("github.event.workflow_run.conclusion == 'success'");
  });

  it("plans against the commit recorded after the last successful deploy, and records the new one last", () => {
    const plan = workflow.jobs.plan!.steps.map((s) => s.run ?? "").join("\n");
    expect(plan).toMatch(/get configmap "\$MARKER"/);
    expect(plan).toMatch(/affected -- --deployed "\$DEPLOYED"/);
    const deploySteps = workflow.jobs.deploy!.steps;
    expect(deploySteps.at(-1)!.run).toMatch(/create configmap "\$MARKER" --from-literal=commit="\$SHA"/);
    expect(deploySteps.findIndex((s) => s.name === "Wait for the rollouts")).toBe(deploySteps.length - 2);
  });

  it("builds on pull requests without pushing, and retags instead of rebuilding unchanged images", () => {
    expect(workflow.on.pull_request).not.toBeUndefined();
    const build = workflow.jobs.build!.steps.find((s) => s.uses?.startsWith("docker/build-push-action"));
    expect(build?.with?.push).toBe("${{ github.event_name != 'pull_request' }}");
    expect(workflow.jobs.deploy!.if).toContain("github.event_name != 'pull_request'");
    expect(workflow.jobs.deploy!.steps.map((s) => s.run ?? "").join("\n")).toMatch(
      /imagetools create -t "\$REGISTRY\/taskfn\/\$image:\$SHA" "\$REGISTRY\/taskfn\/\$image:\$DEPLOYED"/,
    );
  });
});
