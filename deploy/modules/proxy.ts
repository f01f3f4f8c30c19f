/** Helpers shared by the healnet Ignition modules. */
import type { ArgumentType, ContractFuture, IgnitionModuleBuilder } from "@nomicfoundation/ignition-core";
import { id } from "ethers";

/** An AccessControl role id, as the contracts compute it (`keccak256("NAME")`); "DEFAULT_ADMIN_ROLE" is 0x00…. */
export function role(name: string): string {
  return name === "DEFAULT_ADMIN_ROLE" ? `0x${"00".repeat(32)}` : id(name);
}

/**
 * Deploys `name`'s implementation (future id `<name>Impl`) and an OpenZeppelin TransparentUpgradeableProxy to it
 * (`<name>Proxy`) whose constructor calls `initialize(initArgs)` (or `initData`, when given) and deploys the
 * proxy's own ProxyAdmin, owned by the deployer (`<name>ProxyAdmin`: HealnetGovernance hands it to the timelock).
 * Returns the proxy as a `<name>` (`<name>`), so that the deployment's addresses read `<Module>#<name>` for the
 * contract to use, and its ProxyAdmin (docs/upgrades.md).
 */
export function proxied<NameT extends string>(
  m: IgnitionModuleBuilder,
  name: NameT,
  initArgs: ArgumentType[],
  libraries: Record<string, ContractFuture<string>> = {},
  initFunction = "initialize",
) {
  const deployer = m.getAccount(0);
  const implementation = m.contract(name, [], { id: `${name}Impl`, libraries });
  const initData = m.encodeFunctionCall(implementation, initFunction, initArgs, { id: `${name}Init` });
  const proxy = m.contract("TransparentUpgradeableProxy", [implementation, deployer, initData], {
    id: `${name}Proxy`,
  });
  const adminAddress = m.readEventArgument(proxy, "AdminChanged", "newAdmin", { id: `${name}AdminAddress` });
  const proxyAdmin = m.contractAt("ProxyAdmin", adminAddress, { id: `${name}ProxyAdmin` });
  return { contract: m.contractAt(name, proxy, { id: name }), proxyAdmin };
}
