// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {RecoveryManager} from "../../contracts/recovery/RecoveryManager.sol";
import {IRecoveryManager} from "../../contracts/interfaces/IRecoveryManager.sol";
import {IValidatorSet} from "../../contracts/interfaces/IValidatorSet.sol";
import {IStakeManager} from "../../contracts/interfaces/IStakeManager.sol";
import {INodeHealth} from "../../contracts/interfaces/INodeHealth.sol";
import {ISnapshotRegistry} from "../../contracts/interfaces/ISnapshotRegistry.sol";
import {IAuditLog} from "../../contracts/interfaces/IAuditLog.sol";

/// @dev Branches of RecoveryManager the main test file leaves untaken (tools/coverage/branches.ts):
///      initialize's zero-address checks for the StakeManager, NodeHealth and SnapshotRegistry. The checks
///      come before anything is called, so the other addresses can be arbitrary non-zero values.
contract RecoveryManagerBranchesTest is Test {
    address internal impl;

    /// @dev `new`, not deployCode: a partial `--coverage` run of this file then measures the contract too
    ///      (deployCode reads the last build's artifacts; docs/security/coverage.md).
    function setUp() public {
        impl = address(new RecoveryManager());
    }

    /// @dev Calls initialize with address i (0 admin, 1 set, 2 stake, 3 health, 4 snapshots, 5 audit) zeroed.
    function _initializeWithZero(uint256 i, bytes32 what) internal {
        address[6] memory a;
        for (uint256 k = 0; k < 6; ++k) a[k] = k == i ? address(0) : address(uint160(0x1000 + k));
        IRecoveryManager.Parameters memory params;
        vm.expectRevert(abi.encodeWithSelector(IRecoveryManager.RecoveryManagerZeroAddress.selector, what));
        new ERC1967Proxy(
            impl,
            abi.encodeCall(
                RecoveryManager.initialize,
                (
                    a[0],
                    IValidatorSet(a[1]),
                    IStakeManager(a[2]),
                    INodeHealth(a[3]),
                    ISnapshotRegistry(a[4]),
                    IAuditLog(a[5]),
                    params
                )
            )
        );
    }

    function test_initialize_revertsIfStakeZero() public {
        _initializeWithZero(2, "stake");
    }

    function test_initialize_revertsIfHealthZero() public {
        _initializeWithZero(3, "health");
    }

    function test_initialize_revertsIfSnapshotsZero() public {
        _initializeWithZero(4, "snapshots");
    }
}
