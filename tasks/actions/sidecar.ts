/** `npx hardhat heal sidecar` (tasks/agents.ts). */
import { runAgentTask } from "../agents-action.js";

export default (args: { agentConfig: string; options: string[] }): Promise<void> =>
  runAgentTask("sidecar", args);
