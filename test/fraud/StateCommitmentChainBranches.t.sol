// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {StateCommitmentChain} from "../../contracts/fraud/StateCommitmentChain.sol";
import {IStateCommitmentChain} from "../../contracts/interfaces/IStateCommitmentChain.sol";
import {IValidatorSet} from "../../contracts/interfaces/IValidatorSet.sol";
import {IStakeManager} from "../../contracts/interfaces/IStakeManager.sol";
import {IAuditLog} from "../../contracts/interfaces/IAuditLog.sol";

/// @dev Branches of StateCommitmentChain the main test file leaves untaken (tools/coverage/branches.ts):
///      initialize's zero-address checks past the admin. The checks come before anything is called, so
///      the other addresses can be arbitrary non-zero values; the proxy's constructor runs initialize.
contract StateCommitmentChainBranchesTest is Test {
    address internal impl;

    /// @dev `new`, not deployCode: a partial `--coverage` run of this file then measures the contract too
    ///      (deployCode reads the last build's artifacts; docs/security/coverage.md).
    function setUp() public {
        impl = address(new StateCommitmentChain());
    }

    /// @dev Calls initialize with address i (0 admin, 1 token, 2 treasury, 3 set, 4 stake, 5 audit) zeroed.
    function _initializeWithZero(uint256 i, bytes32 what) internal {
        address[6] memory a;
        for (uint256 k = 0; k < 6; ++k) a[k] = k == i ? address(0) : address(uint160(0x1000 + k));
        IStateCommitmentChain.LedgerConfig memory ledger;
        IStateCommitmentChain.Parameters memory params;
        vm.expectRevert(
            abi.encodeWithSelector(IStateCommitmentChain.StateCommitmentChainZeroAddress.selector, what)
        );
        new ERC1967Proxy(
            impl,
            abi.encodeCall(
                StateCommitmentChain.initialize,
                (
                    a[0],
                    IERC20(a[1]),
                    a[2],
                    IValidatorSet(a[3]),
                    IStakeManager(a[4]),
                    IAuditLog(a[5]),
                    ledger,
                    params
                )
            )
        );
    }

    function test_initialize_revertsIfTokenZero() public {
        _initializeWithZero(1, "token");
    }

    function test_initialize_revertsIfTreasuryZero() public {
        _initializeWithZero(2, "treasury");
    }

    function test_initialize_revertsIfSetZero() public {
        _initializeWithZero(3, "set");
    }

    function test_initialize_revertsIfStakeZero() public {
        _initializeWithZero(4, "stake");
    }

    function test_initialize_revertsIfAuditZero() public {
        _initializeWithZero(5, "audit");
    }
}
