/**
 * `npx hardhat heal keeper|sidecar|orchestrator`: thin wrappers over the agents' entry functions
 * (runKeeperCli, runSidecarCli, runOrchestratorCli — the same ones src/agents/<name>/main.ts runs), so a task
 * and `node --import tsx src/agents/<name>/main.ts` behave the same: options from `--agent-config <file>` (main.ts: `--config`), from
 * `HEALNET_*` environment variables, or as trailing `name=value` arguments; exit code 2 and one line for a bad
 * option; SIGINT/SIGTERM finish the tick in flight and exit 0.
 *
 *   npx hardhat heal keeper --agent-config keeper.json interval-ms=5s log-level=debug
 *
 * Keys: --key-file (mode 0600) or HEALNET_PRIVATE_KEY, as for main.ts (the Hardhat keystore's internals are
 * not a public API, so the agents do not decrypt it themselves).
 *
 * The `heal` namespace itself is declared in tasks/index.ts.
 */
import { task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";

const ACTIONS = {
  keeper: () => import("./actions/keeper.js"),
  sidecar: () => import("./actions/sidecar.js"),
  orchestrator: () => import("./actions/orchestrator.js"),
};

function agentTask(name: "keeper" | "sidecar" | "orchestrator", description: string) {
  return task(["heal", name], description)
    .addOption({
      name: "agentConfig",
      description:
        "JSON config file of the agent (--config of main.ts; Hardhat owns --config) (see --help of the agent: npm run " +
        name +
        " -- --help)",
      type: ArgumentType.STRING,
      defaultValue: "",
    })
    .addVariadicArgument({
      name: "options",
      description: "further options as name=value (e.g. interval-ms=5s), like --name value on main.ts",
      type: ArgumentType.STRING,
      defaultValue: [],
    })
    .setAction(ACTIONS[name])
    .build();
}

export const agentTasks = [
  agentTask(
    "keeper",
    "run a keeper: finds overdue/stalled validators and triggers the set's permissionless calls",
  ),
  agentTask("sidecar", "run a sidecar beside a validator node: reads it and heartbeats for it"),
  agentTask(
    "orchestrator",
    "run the orchestrator: repairs nodes (restart, resync, reprovision) and reports on-chain",
  ),
];
