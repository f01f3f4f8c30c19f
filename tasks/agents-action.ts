/** The action of `heal keeper|sidecar|orchestrator` (tasks/agents.ts): argv for the agent's CLI entry function. */
import { runKeeperCli } from "../src/agents/keeper/main.js";
import { runOrchestratorCli } from "../src/agents/orchestrator/main.js";
import { runSidecarCli } from "../src/agents/sidecar/main.js";

const ENTRY = { keeper: runKeeperCli, sidecar: runSidecarCli, orchestrator: runOrchestratorCli } as const;

/** `name=value` → `--name=value`; `--config <file>` first when given. */
export function toArgv(config: string, options: readonly string[]): string[] {
  const argv = config === "" ? [] : ["--config", config];
  for (const o of options) {
    const eq = o.indexOf("=");
    // Anything else is passed as is, so the agent names it in its one-line error.
    argv.push(eq > 0 && !o.startsWith("-") ? `--${o.slice(0, eq)}=${o.slice(eq + 1)}` : o);
  }
  return argv;
}

/** Runs agent `name` with the task's arguments; the exit code becomes the process's. */
export async function runAgentTask(
  name: keyof typeof ENTRY,
  args: { agentConfig: string; options: string[] },
): Promise<void> {
  process.exitCode = await ENTRY[name](toArgv(args.agentConfig, args.options), process.env);
}
