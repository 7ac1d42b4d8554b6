/**
 * Just enough of a Dockerfile parser to re-enact a stage without Docker:
 * stages, their instructions (continuations joined, comments dropped), build
 * arguments, and the exec-form and flag syntax of COPY, CMD and HEALTHCHECK.
 */
export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  name: string;
  /** The image or earlier stage it starts from, build arguments substituted. */
  from: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

/** `${NAME}` and `$NAME` from vars; unknown names become empty, as in Docker. */
export function substitute(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_match, braced: string | undefined, bare: string | undefined) => vars[braced ?? bare ?? ""] ?? "");
}

function instructionsOf(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    pending += `${pending ? " " : ""}${line.replace(/\\$/, "").trim()}`;
    if (line.endsWith("\\")) continue;
    const keyword = /^\S+/.exec(pending)![0];
    instructions.push({ keyword: keyword.toUpperCase(), args: pending.slice(keyword.length).trim() });
    pending = "";
  }
  return instructions;
}

export function parseDockerfile(text: string): Dockerfile {
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const instruction of instructionsOf(text)) {
    if (instruction.keyword === "FROM") {
      const [image = "", as, name] = instruction.args.split(/\s+/);
      if (as?.toUpperCase() !== "AS" || !name) throw new Error(`FROM ${instruction.args}: name every stage`);
      stages.push({ name, from: substitute(image, globalArgs), instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== "ARG") throw new Error(`${instruction.keyword} before the first FROM`);
      const [name = "", value = ""] = instruction.args.split("=");
      globalArgs[name] = value;
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

export function stageNamed(dockerfile: Dockerfile, name: string): Stage {
  const stage = dockerfile.stages.find((s) => s.name === name);
  if (!stage) throw new Error(`the Dockerfile has no stage ${name}`);
  return stage;
}

/** Leading `--flag=value` words, then the rest. */
export function splitFlags(args: string): { flags: Record<string, string>; rest: string } {
  const flags: Record<string, string> = {};
  let rest = args;
  for (let match = /^--([\w-]+)=(\S+)\s*/.exec(rest); match; match = /^--([\w-]+)=(\S+)\s*/.exec(rest)) {
    flags[match[1]!] = match[2]!;
    rest = rest.slice(match[0].length);
  }
  return { flags, rest };
}

/** `["node", "--snapshot-blob", "snapshot.blob"]`: the exec form, the only form this project's Dockerfile uses. */
export function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === "string")) throw new Error(`not an exec-form array: ${args}`);
  return parsed;
}

/** ENV in `KEY=value` form (several per line), without quoting. */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { keyword, args } of stage.instructions) {
    if (keyword !== "ENV") continue;
    for (const pair of args.split(/\s+/)) {
      const [key = "", ...value] = pair.split("=");
      env[key] = value.join("=");
    }
  }
  return env;
}

/** The WORKDIR a stage ends with, following the stages it starts from. */
export function workdirOf(dockerfile: Dockerfile, stage: Stage): string {
  const own = stage.instructions.filter((i) => i.keyword === "WORKDIR").at(-1)?.args;
  if (own) return own;
  const parent = dockerfile.stages.find((s) => s.name === stage.from);
  return parent ? workdirOf(dockerfile, parent) : "/";
}
