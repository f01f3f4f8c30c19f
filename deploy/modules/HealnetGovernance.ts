/**
 * Ignition module of the DAO on top of the guardian side (HealnetGuardians), wired as docs/governance.md's
 * "Wiring a deployment" steps 1-5: a TimelockController (no proposers yet, anyone executes, the deployer its
 * admin), HealGovernor over HealToken votes as its only proposer and canceller, and the timelock granted
 * PARAMETER_ROLE on StakeManager, NodeHealth, SelfHealingValidatorSet, RecoveryManager and SnapshotRegistry
 * and DEFAULT_ADMIN_ROLE on those and the AuditLog.
 *
 * Step 6, the deployer renouncing its admin roles, is HealnetHandover: deploy it once the deployment is checked.
 *
 * Parameters (under "HealnetGovernance"): timelockDelay (s), votingDelay and votingPeriod (blocks),
 * proposalThreshold (wei of HEAL), quorumPercent.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { DEFAULT_GOVERNANCE_PARAMETERS } from "./defaults.js";
import HealnetGuardians from "./HealnetGuardians.js";
import { role } from "./proxy.js";

const ANYONE = "0x0000000000000000000000000000000000000000";

export default buildModule("HealnetGovernance", (m) => {
  const deployer = m.getAccount(0);
  const d = DEFAULT_GOVERNANCE_PARAMETERS;
  const suite = m.useModule(HealnetGuardians);
  const timelock = m.contract("TimelockController", [
    m.getParameter("timelockDelay", d.timelockDelay),
    [],
    [ANYONE],
    deployer,
  ]);
  const governor = m.contract("HealGovernor", [
    suite.token,
    timelock,
    m.getParameter("votingDelay", d.votingDelay),
    m.getParameter("votingPeriod", d.votingPeriod),
    m.getParameter("proposalThreshold", d.proposalThreshold),
    m.getParameter("quorumPercent", d.quorumPercent),
  ]);
  m.call(timelock, "grantRole", [role("PROPOSER_ROLE"), governor], { id: "Timelock_PROPOSER_ROLE_governor" });
  m.call(timelock, "grantRole", [role("CANCELLER_ROLE"), governor], {
    id: "Timelock_CANCELLER_ROLE_governor",
  });

  const parameterized = {
    StakeManager: suite.stake,
    NodeHealth: suite.health,
    SelfHealingValidatorSet: suite.set,
    RecoveryManager: suite.recovery,
    SnapshotRegistry: suite.snapshots,
  };
  for (const [name, contract] of Object.entries(parameterized)) {
    m.call(contract, "grantRole", [role("PARAMETER_ROLE"), timelock], {
      id: `${name}_PARAMETER_ROLE_timelock`,
    });
  }
  for (const [name, contract] of Object.entries({ ...parameterized, AuditLog: suite.audit })) {
    m.call(contract, "grantRole", [role("DEFAULT_ADMIN_ROLE"), timelock], {
      id: `${name}_DEFAULT_ADMIN_ROLE_timelock`,
    });
  }

  return { ...suite, timelock, governor };
});
