/** Helpers shared by the healnet Ignition modules. */
import type { ArgumentType, ContractFuture, IgnitionModuleBuilder } from "@nomicfoundation/ignition-core";
import { id } from "ethers";

/** An AccessControl role id, as the contracts compute it (`keccak256("NAME")`); "DEFAULT_ADMIN_ROLE" is 0x00…. */
export function role(name: string): string {
  return name === "DEFAULT_ADMIN_ROLE" ? `0x${"00".repeat(32)}` : id(name);
}

/**
 * Deploys `name`'s implementation (future id `<name>Impl`), an ERC1967Proxy to it whose constructor calls
 * `initialize(initArgs)` (`<name>Proxy`), and returns the proxy as a `<name>` (`<name>`), so that the
 * deployment's addresses read `<Module>#<name>` for the contract to use.
 */
export function proxied<NameT extends string>(
  m: IgnitionModuleBuilder,
  name: NameT,
  initArgs: ArgumentType[],
  libraries: Record<string, ContractFuture<string>> = {},
) {
  const implementation = m.contract(name, [], { id: `${name}Impl`, libraries });
  const initData = m.encodeFunctionCall(implementation, "initialize", initArgs, { id: `${name}Init` });
  const proxy = m.contract("ERC1967Proxy", [implementation, initData], { id: `${name}Proxy` });
  return m.contractAt(name, proxy, { id: name });
}
