/**
 * `heal deploy`: deploys the suite with Ignition (deploy/modules) using deploy/parameters/<network>.json,
 * then runs the `heal status` smoke check against what was deployed.
 *
 * On a live network (localhost, sepolia) the deployment is recorded in deploy/deployments/chain-<id>: a
 * second run resumes an interrupted one or, if it completed, sends nothing. On the in-process network it
 * is kept in memory unless --deployment-dir is given.
 */
import { existsSync } from "node:fs";

import {
  deploymentDirOf,
  MODULES,
  type ModuleName,
  parametersFile,
  readParameters,
  runIgnition,
} from "../deploy/ignition.js";
import { connectSuite as connectContracts, parseSuiteAddresses } from "../src/suite/addresses.js";
import { HealError, healAction, printTable } from "./common.js";
import { printStatus } from "./status.js";

export interface DeployArgs {
  module: string;
  parameters: string;
  deploymentDir: string;
}

export default healAction("deploy", async (args: DeployArgs, hre) => {
  if (!(args.module in MODULES)) {
    throw new HealError(`--module "${args.module}" is not one of ${Object.keys(MODULES).join(", ")}`);
  }
  const module = args.module as ModuleName;
  const connection = await hre.network.getOrCreate();
  const networkName = connection.networkName;
  const file = args.parameters === "" ? parametersFile(networkName) : args.parameters;
  if (!existsSync(file)) {
    throw new HealError(
      `no parameter file for network ${networkName}: create ${file} (see docs/deployment.md)`,
    );
  }
  const parameters = await readParameters(file, module);
  const chainId = (await connection.ethers.provider.getNetwork()).chainId;
  const inProcess = connection.networkConfig.type === "edr-simulated";
  const deploymentDir =
    args.deploymentDir !== "" ? args.deploymentDir : inProcess ? undefined : deploymentDirOf(chainId);

  console.log(
    `deploying ${MODULES[module].id} to ${networkName} (chain ${chainId}) with ${file}` +
      (deploymentDir === undefined ? " (in memory: nothing is recorded)" : `, journal in ${deploymentDir}`),
  );
  const ids = await runIgnition({
    provider: connection.provider,
    artifacts: hre.artifacts,
    module,
    parameters,
    ...(deploymentDir !== undefined && { deploymentDir }),
  });
  // The addresses the agents will load (src/suite/addresses.ts), validated the same way.
  const addresses = parseSuiteAddresses(ids, `${MODULES[module].id} deployment`);
  printTable(Object.entries(addresses).map(([contract, address]) => ({ contract, address })));

  // Smoke check: the status table of what was just deployed.
  const status = await printStatus({
    hre,
    ethers: connection.ethers,
    networkName,
    suite: {
      chainId,
      source: deploymentDir ?? "memory",
      addresses,
      contracts: connectContracts(addresses, connection.ethers.provider),
    },
  });
  return { chainId, deploymentDir, addresses, status };
});
