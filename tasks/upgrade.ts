/**
 * `heal upgrade rehearse --network <net> --contract <Name> [--implementation <Artifact>] [--migration <fn>]`:
 * rehearses an upgrade on an anvil fork of the network (src/suite/rehearse.ts) — the upgrade, the invariants,
 * the layout check and a healing drill (`--rounds` intervals of healthy heartbeats, then one active validator
 * crashes and must be detected and replaced without touching the others) — and prints GO or NO-GO with
 * reasons; NO-GO, like a bad argument, exits non-zero. Nothing is sent to the network itself. Under governance
 * (a TimelockController owns the ProxyAdmin) the upgrade goes through the timelock: schedule as the proposer
 * (impersonated, `--proposer`; the vote is not replayed), early execute refused, the delay (`--max-delay` caps
 * it), execute (`--executor`).
 *
 *   heal upgrade rehearse --network sepolia --contract StakeManager --implementation StakeManagerV2 --migration migrateToV2
 *   heal upgrade rehearse --fork-url http://127.0.0.1:8545 --contract NodeHealth --rounds 5
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { REHEARSABLE, type RehearsableName, rehearseUpgrade } from "../src/suite/rehearse.js";
import { HealError, healAction, parseAddress, parseUint } from "./common.js";

interface Args {
  contract: string;
  implementation: string;
  migration: string;
  forkUrl: string;
  rounds: string;
  skipLayout: boolean;
  auditFromBlock: string;
  addresses: string;
  proposer: string;
  executor: string;
  maxDelay: string;
}

/** The JSON-RPC URL to fork: --fork-url, or the selected HTTP network's url. */
async function forkUrlOf(hre: HardhatRuntimeEnvironment, forkUrl: string): Promise<string> {
  if (forkUrl !== "") {
    if (!/^https?:\/\/\S+$/.test(forkUrl))
      throw new HealError(`--fork-url must be an http(s) URL, got "${forkUrl}"`);
    return forkUrl;
  }
  const name = hre.globalOptions.network ?? "default";
  const config = hre.config.networks[name];
  if (config === undefined) throw new HealError(`unknown network "${name}"`);
  if (config.type !== "http") {
    throw new HealError(
      `network "${name}" is not an HTTP network, there is nothing to fork: pass --network <net> or --fork-url <url>`,
    );
  }
  const url = config.url as unknown;
  return typeof url === "string" ? url : await (url as { get(): Promise<string> }).get();
}

export const rehearse = healAction("upgrade rehearse", async (args: Args, hre) => {
  const names = Object.keys(REHEARSABLE);
  const contract = names.find((n) => n.toLowerCase() === args.contract.toLowerCase());
  if (contract === undefined) {
    throw new HealError(`--contract "${args.contract}" is not one of ${names.join(", ")}`);
  }
  const rounds = Number(parseUint(args.rounds, "--rounds"));
  const auditFromBlock = Number(parseUint(args.auditFromBlock, "--audit-from-block"));
  const proposer = args.proposer === "" ? undefined : parseAddress(args.proposer, "--proposer");
  const executor = args.executor === "" ? undefined : parseAddress(args.executor, "--executor");
  const maxDelay = args.maxDelay === "" ? undefined : Number(parseUint(args.maxDelay, "--max-delay"));
  const forkUrl = await forkUrlOf(hre, args.forkUrl);
  const result = await rehearseUpgrade({
    forkUrl,
    contract: contract as RehearsableName,
    ...(args.implementation !== "" && { implementation: args.implementation }),
    ...(args.migration !== "" && { migration: args.migration }),
    ...(args.addresses !== "" && { addresses: args.addresses }),
    ...(proposer !== undefined && { proposer }),
    ...(executor !== undefined && { executor }),
    ...(maxDelay !== undefined && { maxDelay }),
    rounds,
    auditFromBlock,
    skipLayout: args.skipLayout,
    readArtifact: async (name) => (await hre.artifacts.readArtifact(name)) as never,
    log: (line) => console.log(line),
    // Under `--coverage` the artifacts deployed on the fork are instrumented, too large for EIP-170.
    codeSizeLimit: hre.globalOptions.coverage !== true,
  });
  const t = result.timelock;
  if (t !== undefined) {
    console.log(
      `governance: ${t.executed ? "replayed" : "stopped"} on the timelock ${t.timelock}: schedule by ${t.proposer ?? "nobody"} → ${t.minDelay} s → execute by ${t.executor ?? "nobody"}; the vote itself is not replayed (the proposer is impersonated)`,
    );
  }
  const d = result.drill;
  if (d?.crashed !== undefined && d.incidentId !== undefined) {
    console.log(
      `drill: ${d.crashed} crashed → incident ${d.incidentId ?? "none"}, replaced by ${d.replacement ?? "nobody"}; false positives: ${d.falsePositives.length}`,
    );
  }
  for (const warning of result.warnings) console.log(`  warning (already so before the upgrade): ${warning}`);
  if (result.go) {
    console.log(`GO: ${contract} → ${args.implementation || contract} passed every check on the fork`);
    return result;
  }
  for (const reason of result.reasons) console.log(`  - ${reason}`);
  throw new HealError(`NO-GO: ${result.reasons.length} problem(s): ${result.reasons[0]}`);
});
