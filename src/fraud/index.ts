/**
 * healnet's optimistic ledger off-chain: the reference ledger (the same transition as LedgerTransition.sol),
 * batches and their step commitments, reading batches back, and the proposer and watcher agents.
 */
export * from "./smt.js";
export * from "./ledger.js";
export * from "./batch.js";
export * from "./chain.js";
export * from "./proposer.js";
export * from "./watcher.js";
export * from "./workload.js";
