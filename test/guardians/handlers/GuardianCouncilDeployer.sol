// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {GuardianCouncil} from "../../../contracts/guardians/GuardianCouncil.sol";
import {MockRecoveryManager} from "../../../contracts/mocks/MockRecoveryManager.sol";
import {MockSnapshotRegistry} from "../../../contracts/mocks/MockSnapshotRegistry.sol";

/// @notice Deploys GuardianCouncil implementations. An external library, so that the council's ~20 KiB of
///         creation code lives in the (linked) library and not in every test contract (test contracts must
///         stay under the 24 KiB size limit: the build treats the size warning as an error).
library GuardianCouncilDeployer {
    /// @notice A bare implementation (its initializers are disabled).
    function implementation() external returns (GuardianCouncil) {
        return new GuardianCouncil();
    }
}

/// @notice Deploys the council's test doubles and proxies (same reason as GuardianCouncilDeployer).
library GuardianCouncilMocksDeployer {
    function mocks() external returns (MockRecoveryManager recovery, MockSnapshotRegistry snapshots) {
        return (new MockRecoveryManager(), new MockSnapshotRegistry());
    }

    function proxy(address implementation, bytes memory initData) external returns (address) {
        return address(new ERC1967Proxy(implementation, initData));
    }
}
