// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {HealToken} from "../../contracts/governance/HealToken.sol";

contract HealTokenTest is Test {
    HealToken internal token;
    address internal treasury = makeAddr("treasury");
    address internal alice = makeAddr("alice");

    function setUp() public {
        token = new HealToken(treasury, 1_000_000 ether);
    }

    function test_constructor_mintsWholeSupplyToHolder() public view {
        assertEq(token.totalSupply(), 1_000_000 ether);
        assertEq(token.balanceOf(treasury), 1_000_000 ether);
    }

    function testFuzz_delegate_votesFollowBalance(uint256 amount) public {
        amount = bound(amount, 0, 1_000_000 ether);
        vm.prank(treasury);
        token.transfer(alice, amount);
        assertEq(token.getVotes(alice), 0, "no votes before delegating");
        vm.prank(alice);
        token.delegate(alice);
        assertEq(token.getVotes(alice), amount);
    }
}
