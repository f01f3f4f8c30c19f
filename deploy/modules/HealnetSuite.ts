/**
 * The healnet suite without a DAO: HealnetGuardians (core + guardian side, every role wired), with the
 * deployer standing in for the timelock: it holds PARAMETER_ROLE of StakeManager, NodeHealth,
 * SelfHealingValidatorSet, RecoveryManager, SnapshotRegistry, StateCommitmentChain and SentinelRegistry (and the
 * registry's CURATOR_ROLE) and keeps DEFAULT_ADMIN_ROLE everywhere.
 * Same effect as `deploySuite(ethers, { ... })` without `governance` (src/suite/deploy.ts).
 *
 *   npx hardhat heal deploy --network localhost
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import HealnetGuardians from "./HealnetGuardians.js";
import { role } from "./proxy.js";

export default buildModule("HealnetSuite", (m) => {
  const deployer = m.getAccount(0);
  const suite = m.useModule(HealnetGuardians);
  const parameterised = {
    StakeManager: suite.stake,
    NodeHealth: suite.health,
    SelfHealingValidatorSet: suite.set,
    RecoveryManager: suite.recovery,
    SnapshotRegistry: suite.snapshots,
    StateCommitmentChain: suite.stateCommitments,
    SentinelRegistry: suite.sentinels,
  };
  for (const [name, contract] of Object.entries(parameterised)) {
    m.call(contract, "grantRole", [role("PARAMETER_ROLE"), deployer], {
      id: `${name}_PARAMETER_ROLE_deployer`,
    });
  }
  m.call(suite.sentinels, "grantRole", [role("CURATOR_ROLE"), deployer], {
    id: "SentinelRegistry_CURATOR_ROLE_deployer",
  });
  return suite;
});
