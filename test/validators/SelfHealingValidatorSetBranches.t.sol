// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {SelfHealingValidatorSet} from "../../contracts/validators/SelfHealingValidatorSet.sol";
import {IValidatorSet} from "../../contracts/interfaces/IValidatorSet.sol";
import {IStakeManager} from "../../contracts/interfaces/IStakeManager.sol";
import {INodeHealth} from "../../contracts/interfaces/INodeHealth.sol";

/// @dev Branches of SelfHealingValidatorSet the main test files leave untaken (tools/coverage/branches.ts):
///      initialize's zero-address checks for the StakeManager and NodeHealth. The checks come before
///      anything is called or validated, so the parameters can be left zero.
contract SelfHealingValidatorSetBranchesTest is Test {
    address internal impl;

    /// @dev `new`, not deployCode: a partial `--coverage` run of this file then measures the contract too
    ///      (deployCode reads the last build's artifacts; docs/security/coverage.md).
    function setUp() public {
        impl = address(new SelfHealingValidatorSet());
    }

    function test_initialize_revertsIfStakeZero() public {
        IValidatorSet.Parameters memory params;
        vm.expectRevert(
            abi.encodeWithSelector(IValidatorSet.ValidatorSetZeroAddress.selector, bytes32("stake"))
        );
        new ERC1967Proxy(
            impl,
            abi.encodeCall(
                SelfHealingValidatorSet.initialize,
                (address(0xAD), IStakeManager(address(0)), INodeHealth(address(0x4E)), params)
            )
        );
    }

    function test_initialize_revertsIfHealthZero() public {
        IValidatorSet.Parameters memory params;
        vm.expectRevert(
            abi.encodeWithSelector(IValidatorSet.ValidatorSetZeroAddress.selector, bytes32("health"))
        );
        new ERC1967Proxy(
            impl,
            abi.encodeCall(
                SelfHealingValidatorSet.initialize,
                (address(0xAD), IStakeManager(address(0x57)), INodeHealth(address(0)), params)
            )
        );
    }
}
