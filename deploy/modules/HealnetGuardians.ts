/**
 * Ignition module of the guardian side on top of the core (HealnetCore): AuditLog, SnapshotRegistry,
 * GuardianCouncil, RecoveryManager, StateCommitmentChain and SentinelRegistry behind TransparentUpgradeableProxies (each with its ProxyAdmin, owned by the deployer), and every role of docs/access-control.md's
 * "Who holds what" table except PARAMETER_ROLE of the seven parameterised contracts and the SentinelRegistry's
 * CURATOR_ROLE, which go to the deployer
 * (HealnetSuite, no DAO) or to the DAO timelock (HealnetGovernance). Deploy one of those two, not this one.
 *
 * The council and the registry refer to each other, so the council's proxy is deployed first without calling
 * `initialize` (OpenZeppelin 5's proxies refuse empty init data, so its constructor delegate-calls the
 * view `threshold()` instead), the registry and the manager are initialized with its address, then the council
 * is initialized through its proxy. Every role the council gets is granted only after that `initialize` succeeded: if anyone
 * initialized the bare proxy first, the deployment stops there and the council holds nothing.
 *
 * Parameters (under "HealnetGuardians"): guardians (address[], required), threshold (required), operator (the
 * orchestrator's key, RecoveryManager OPERATOR_ROLE; default: the deployer), council (GuardianCouncil.Delays),
 * recovery (RecoveryManager.Parameters), snapshots (SnapshotRegistry.Parameters), ledger (the
 * StateCommitmentChain's `{genesisStateRoot, treeDepth}`), fraud (its Parameters) and sentinels
 * (SentinelRegistry.Parameters); defaults from DEFAULT_FRAUD_PARAMETERS and DEFAULT_SENTINEL_PARAMETERS.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import {
  DEFAULT_FRAUD_PARAMETERS,
  DEFAULT_PARAMETERS,
  DEFAULT_SENTINEL_PARAMETERS,
} from "../../src/suite/parameters.js";
import HealnetCore from "./HealnetCore.js";
import { proxied, role } from "./proxy.js";

export default buildModule("HealnetGuardians", (m) => {
  const deployer = m.getAccount(0);
  const d = DEFAULT_PARAMETERS;
  const core = m.useModule(HealnetCore);
  const { token, stake, health, set } = core;
  const guardians = m.getParameter<string[]>("guardians");
  const threshold = m.getParameter<number>("threshold");
  const operator = m.getParameter("operator", deployer);
  const delays = m.getParameter("council", { ...d.council });
  const recoveryParameters = m.getParameter("recovery", { ...d.recovery });
  const snapshotParameters = m.getParameter("snapshots", { ...d.snapshots });
  const treasury = m.staticCall(stake, "treasury", [], 0, { id: "treasury" });

  const { contract: audit, proxyAdmin: auditProxyAdmin } = proxied(m, "AuditLog", [deployer]);
  const { contract: council, proxyAdmin: councilProxyAdmin } = proxied(
    m,
    "GuardianCouncil",
    [],
    {},
    "threshold",
  );
  const { contract: snapshots, proxyAdmin: snapshotsProxyAdmin } = proxied(m, "SnapshotRegistry", [
    deployer,
    token,
    treasury,
    set,
    stake,
    council,
    audit,
    snapshotParameters,
  ]);
  const { contract: recovery, proxyAdmin: recoveryProxyAdmin } = proxied(m, "RecoveryManager", [
    deployer,
    set,
    stake,
    health,
    snapshots,
    audit,
    recoveryParameters,
  ]);
  const f = DEFAULT_FRAUD_PARAMETERS;
  const ledger = m.getParameter("ledger", { genesisStateRoot: f.genesisStateRoot, treeDepth: f.treeDepth });
  const fraudParameters = m.getParameter("fraud", {
    challengeBond: f.challengeBond,
    challengerRewardCap: f.challengerRewardCap,
    challengeWindow: f.challengeWindow,
    fraudSlashBps: f.fraudSlashBps,
    challengerRewardBps: f.challengerRewardBps,
    maxBatchSize: f.maxBatchSize,
  });
  const { contract: stateCommitments, proxyAdmin: stateCommitmentsProxyAdmin } = proxied(
    m,
    "StateCommitmentChain",
    [deployer, token, treasury, set, stake, audit, ledger, fraudParameters],
  );
  const { contract: sentinels, proxyAdmin: sentinelsProxyAdmin } = proxied(m, "SentinelRegistry", [
    deployer,
    health,
    audit,
    m.getParameter("sentinels", { ...DEFAULT_SENTINEL_PARAMETERS }),
  ]);
  const councilInit = m.call(
    council,
    "initialize",
    [guardians, threshold, delays, recovery, snapshots, audit],
    {
      id: "GuardianCouncil_initialize",
    },
  );

  // AuditLog appenders. The set's grant comes before `setAuditLog`, whose first entry the set appends.
  const APPENDER = role("APPENDER_ROLE");
  const setAppends = m.call(audit, "grantRole", [APPENDER, set], { id: "AuditLog_APPENDER_ROLE_set" });
  m.call(set, "setAuditLog", [audit], { after: [setAppends] });
  m.call(audit, "grantRole", [APPENDER, recovery], { id: "AuditLog_APPENDER_ROLE_recovery" });
  m.call(audit, "grantRole", [APPENDER, snapshots], { id: "AuditLog_APPENDER_ROLE_snapshots" });
  m.call(audit, "grantRole", [APPENDER, stateCommitments], { id: "AuditLog_APPENDER_ROLE_stateCommitments" });
  m.call(audit, "grantRole", [APPENDER, sentinels], { id: "AuditLog_APPENDER_ROLE_sentinels" });
  // The sentinel pool registers its sentinels' heartbeat signers in NodeHealth (and fences removed ones).
  m.call(health, "grantRole", [role("REGISTRAR_ROLE"), sentinels], {
    id: "NodeHealth_REGISTRAR_ROLE_sentinels",
  });
  // A proven fraud slashes and jails the proposer (a validator) through the StakeManager; the jail takes it out
  // of the active set (the set promotes a backup).
  m.call(stake, "grantRole", [role("SLASHER_ROLE"), stateCommitments], {
    id: "StakeManager_SLASHER_ROLE_stateCommitments",
  });
  m.call(stake, "grantRole", [role("JAILER_ROLE"), stateCommitments], {
    id: "StakeManager_JAILER_ROLE_stateCommitments",
  });
  m.call(audit, "grantRole", [APPENDER, council], {
    id: "AuditLog_APPENDER_ROLE_council",
    after: [councilInit],
  });

  // The council is the guardian of the RecoveryManager and the SnapshotRegistry.
  m.call(recovery, "grantRole", [role("GUARDIAN_ROLE"), council], {
    id: "RecoveryManager_GUARDIAN_ROLE_council",
    after: [councilInit],
  });
  m.call(snapshots, "grantRole", [role("GUARDIAN_ROLE"), council], {
    id: "SnapshotRegistry_GUARDIAN_ROLE_council",
    after: [councilInit],
  });

  // The RecoveryManager acts on the set, the StakeManager and NodeHealth (its own PARAMETER_ROLE it grants itself).
  for (const name of ["PAUSER_ROLE", "PARAMETER_ROLE", "RECOVERY_ROLE"]) {
    m.call(set, "grantRole", [role(name), recovery], { id: `SelfHealingValidatorSet_${name}_recovery` });
  }
  for (const name of ["JAILER_ROLE", "PARAMETER_ROLE"]) {
    m.call(stake, "grantRole", [role(name), recovery], { id: `StakeManager_${name}_recovery` });
  }
  for (const name of ["ROTATOR_ROLE", "PARAMETER_ROLE"]) {
    m.call(health, "grantRole", [role(name), recovery], { id: `NodeHealth_${name}_recovery` });
  }

  // The orchestrator reports remediation results.
  m.call(recovery, "grantRole", [role("OPERATOR_ROLE"), operator], {
    id: "RecoveryManager_OPERATOR_ROLE_operator",
  });

  return {
    ...core,
    audit,
    snapshots,
    recovery,
    council,
    stateCommitments,
    sentinels,
    auditProxyAdmin,
    snapshotsProxyAdmin,
    recoveryProxyAdmin,
    councilProxyAdmin,
    stateCommitmentsProxyAdmin,
    sentinelsProxyAdmin,
  };
});
