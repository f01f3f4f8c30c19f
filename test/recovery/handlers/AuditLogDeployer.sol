// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {AuditLog} from "../../../contracts/recovery/AuditLog.sol";

/// @notice Deploys an AuditLog behind an ERC1967Proxy. An external library, so that the creation code lives in
///         the (linked) library and not in every test contract (which must stay under the 24 KiB size limit).
library AuditLogDeployer {
    /// @notice A fresh implementation and proxy, initialized with `admin`.
    function deploy(address admin) external returns (AuditLog) {
        AuditLog impl = new AuditLog();
        return
            AuditLog(address(new ERC1967Proxy(address(impl), abi.encodeCall(AuditLog.initialize, (admin)))));
    }

    /// @notice A bare implementation (its initializers are disabled).
    function implementation() external returns (AuditLog) {
        return new AuditLog();
    }
}
