/**
 * The contract addresses an agent talks to, loaded through src/suite/addresses.ts: `--addresses <file>`
 * (Ignition's deployed_addresses.json or the flat `{"token", "stake", "health", "set", …}` format), or, without
 * it, this repository's Ignition deployment for `--chain-id` (deploy/deployments/chain-<id>/). Every problem
 * becomes a ConfigError naming `addresses`, with an example.
 */
import { HealError } from "../../suite/errors.js";
import { deploymentAddressesFile, readSuiteAddresses, type SuiteAddresses } from "../../suite/addresses.js";
import { ConfigError } from "./config.js";

export type { SuiteAddresses };

const EXAMPLE = `--addresses deploy/deployments/chain-31337/deployed_addresses.json`;

export async function loadAddresses(file: string | undefined, chainId: bigint): Promise<SuiteAddresses> {
  const path = file ?? deploymentAddressesFile(chainId);
  try {
    return await readSuiteAddresses(path);
  } catch (error) {
    if (error instanceof HealError) {
      const where =
        file === undefined ? ` (no --addresses given: the Ignition deployment of chain ${chainId})` : "";
      throw new ConfigError(`--addresses: ${error.message}${where}. Example: ${EXAMPLE}`, "addresses");
    }
    throw error;
  }
}
