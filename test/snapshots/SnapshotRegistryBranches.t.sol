// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {SnapshotRegistry} from "../../contracts/snapshots/SnapshotRegistry.sol";
import {ISnapshotRegistry} from "../../contracts/interfaces/ISnapshotRegistry.sol";
import {IValidatorSet} from "../../contracts/interfaces/IValidatorSet.sol";
import {IStakeManager} from "../../contracts/interfaces/IStakeManager.sol";
import {IGuardianCouncil} from "../../contracts/interfaces/IGuardianCouncil.sol";
import {IAuditLog} from "../../contracts/interfaces/IAuditLog.sol";

/// @dev Branches of SnapshotRegistry the main test file leaves untaken (tools/coverage/branches.ts):
///      initialize's zero-address checks (all but the treasury's) and stateOf an unknown snapshot. The
///      checks come before anything is called, so the other addresses can be arbitrary non-zero values.
contract SnapshotRegistryBranchesTest is Test {
    address internal impl;

    /// @dev `new`, not deployCode: a partial `--coverage` run of this file then measures the contract too
    ///      (deployCode reads the last build's artifacts; docs/security/coverage.md).
    function setUp() public {
        impl = address(new SnapshotRegistry());
    }

    /// @dev Calls initialize with address i (0 admin, 1 token, 2 treasury, 3 set, 4 stake, 5 council,
    ///      6 audit) zeroed.
    function _initializeWithZero(uint256 i, bytes32 what) internal {
        address[7] memory a;
        for (uint256 k = 0; k < 7; ++k) a[k] = k == i ? address(0) : address(uint160(0x1000 + k));
        ISnapshotRegistry.Parameters memory params;
        vm.expectRevert(abi.encodeWithSelector(ISnapshotRegistry.SnapshotRegistryZeroAddress.selector, what));
        new ERC1967Proxy(
            impl,
            abi.encodeCall(
                SnapshotRegistry.initialize,
                (
                    a[0],
                    IERC20(a[1]),
                    a[2],
                    IValidatorSet(a[3]),
                    IStakeManager(a[4]),
                    IGuardianCouncil(a[5]),
                    IAuditLog(a[6]),
                    params
                )
            )
        );
    }

    function test_initialize_revertsIfAdminZero() public {
        _initializeWithZero(0, "admin");
    }

    function test_initialize_revertsIfTokenZero() public {
        _initializeWithZero(1, "token");
    }

    function test_initialize_revertsIfSetZero() public {
        _initializeWithZero(3, "set");
    }

    function test_initialize_revertsIfStakeZero() public {
        _initializeWithZero(4, "stake");
    }

    function test_initialize_revertsIfCouncilZero() public {
        _initializeWithZero(5, "council");
    }

    function test_initialize_revertsIfAuditZero() public {
        _initializeWithZero(6, "audit");
    }

    /// @dev Read on the implementation: its storage is as empty as a fresh proxy's for this snapshot id.
    function test_stateOf_unknownSnapshotIsNone() public view {
        assertEq(uint256(SnapshotRegistry(impl).stateOf(42)), uint256(ISnapshotRegistry.SnapshotState.None));
    }
}
