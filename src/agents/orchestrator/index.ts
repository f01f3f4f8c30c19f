/**
 * The orchestrator's public API, for its main.ts, the Hardhat task and the simulation:
 *
 *   const metrics = registerOrchestratorMetrics(registry);
 *   const driver = new ProcessDriver({ nodes: parseProcessNodes(json), dataDir, store: new DirectoryContentStore(dir) });
 *   const orchestrator = makeOrchestrator({ contracts, driver, options, sender: chain, log, metrics,
 *     state: new JsonFileStateStore(stateFile, { chainId: "31337", set, recovery }) });
 *   await runAgent({ init: () => orchestrator.init(), tick: async (ctx) => void (await orchestrator.tick(ctx)), … });
 *   await driver.dispose();
 *
 * See docs/agents/orchestrator.md.
 */
export * from "./driver.js";
export * from "./ladder.js";
export * from "./metrics.js";
export * from "./orchestrator.js";
export * from "./state.js";
export * from "./store.js";
export * from "./drivers/process.js";
