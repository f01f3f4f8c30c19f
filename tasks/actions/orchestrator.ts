/** `npx hardhat heal orchestrator` (tasks/agents.ts). */
import { runAgentTask } from "../agents-action.js";

export default (args: { agentConfig: string; options: string[] }): Promise<void> =>
  runAgentTask("orchestrator", args);
