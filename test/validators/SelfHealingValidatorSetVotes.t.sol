// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {HealToken} from "../../contracts/governance/HealToken.sol";
import {IValidatorSet} from "../../contracts/interfaces/IValidatorSet.sol";
import {SetFixture} from "./handlers/SetFixture.sol";

/// @dev The backup heap ranks by bonded stake plus the votes delegated in the stake token (issue #9).
contract SelfHealingValidatorSetVotesTest is SetFixture {
    uint256 internal constant CANDIDATES = 6;
    uint256 internal constant HOLDERS = 4;

    HealToken internal token;
    address[] internal c; // backups c0..c5, bonded 200..250 ether (c5 on top without votes)
    address[] internal holders; // each holds 1,000 ether, undelegated

    function setUp() public {
        IValidatorSet.Parameters memory p = _defaultParams();
        p.maxActive = 5;
        p.minActive = 1;
        _deploy(p);
        token = new HealToken(address(this), 1e27);
        stake.setStakeToken(address(token));
        for (uint256 i = 0; i < CANDIDATES; ++i) {
            c.push(_candidate(string.concat("c", vm.toString(i)), (200 + 10 * i) * 1 ether));
        }
        for (uint256 k = 0; k < HOLDERS; ++k) {
            address h = makeAddr(string.concat("holder", vm.toString(k)));
            holders.push(h);
            token.transfer(h, 1_000 ether);
        }
    }

    function _delegate(address holder, address to) internal {
        vm.prank(holder);
        token.delegate(to);
    }

    function _top() internal view returns (address) {
        return set.backupValidators(0, 1)[0];
    }

    /// @dev The heap's order: key first, then the higher address.
    function _node(uint256 key, address v) internal pure returns (uint256) {
        return (key << 160) | uint256(uint160(v));
    }

    // ---------------------------------------------------------------- keys

    function test_registerCandidate_keyCountsDelegatedVotes() public {
        address x = makeAddr("x");
        _delegate(holders[0], x);
        address registered = _candidate("x", 150 ether);
        assertEq(registered, x);
        assertEq(set.backupKeyOf(x), 1_150 ether);
        assertEq(_top(), x);
    }

    function test_rerank_movesBackupUpAfterDelegation() public {
        _delegate(holders[0], c[0]);
        // Lazy: the delegation alone does not move the heap.
        assertEq(set.backupKeyOf(c[0]), 200 ether);
        assertEq(_top(), c[5]);
        vm.expectEmit(address(set));
        emit IValidatorSet.BackupReranked(c[0], 1_200 ether);
        address anyone = makeAddr("anyone");
        vm.prank(anyone);
        assertEq(set.rerank(c[0]), 1_200 ether);
        assertEq(set.backupKeyOf(c[0]), 1_200 ether);
        assertEq(_top(), c[0]);
    }

    function test_rerank_movesBackupDownAfterUndelegation() public {
        _delegate(holders[0], c[0]);
        set.rerank(c[0]);
        assertEq(_top(), c[0]);
        _delegate(holders[0], holders[0]);
        assertEq(set.rerank(c[0]), 200 ether);
        assertEq(_top(), c[5]);
    }

    function test_rerank_revertsIfNotBackup() public {
        set.fillVacancies(1);
        assertTrue(set.isActive(c[5]));
        vm.expectRevert(
            abi.encodeWithSelector(
                IValidatorSet.ValidatorSetNotBackup.selector,
                c[5],
                IValidatorSet.Status.Active
            )
        );
        set.rerank(c[5]);
        address nobody = makeAddr("nobody");
        vm.expectRevert(
            abi.encodeWithSelector(
                IValidatorSet.ValidatorSetNotBackup.selector,
                nobody,
                IValidatorSet.Status.None
            )
        );
        set.rerank(nobody);
    }

    function test_onStakeChanged_rekeysWithVotes() public {
        _delegate(holders[0], c[0]);
        stake.setBonded(c[0], 201 ether);
        assertEq(set.backupKeyOf(c[0]), 1_201 ether);
        assertEq(_top(), c[0]);
    }

    function test_fillVacancies_promotesHighestBondedPlusVotes() public {
        token.transfer(holders[1], 500 ether);
        _delegate(holders[0], c[1]); // 210 + 1,000
        _delegate(holders[1], c[2]); // 220 + 1,500
        set.rerank(c[1]);
        set.rerank(c[2]);
        set.fillVacancies(2);
        assertTrue(set.isActive(c[2]));
        assertTrue(set.isActive(c[1]));
        assertFalse(set.isActive(c[5]));
    }

    function test_backupKeyOf_zeroIfNotInHeap() public {
        assertEq(set.backupKeyOf(makeAddr("nobody")), 0);
    }

    // ---------------------------------------------------------------- fuzz

    /// @dev After random transfers, delegations and reranks, the heap's top holds the highest stored key; once
    ///      every backup is reranked, each stored key is bonded + votes and the backup promoted first is the one
    ///      with the highest bonded + votes (ties: the higher address, as in the heap).
    function testFuzz_rerank_firstPoppedHasHighestBondedPlusVotes(uint256 seed, uint8 rounds) public {
        uint256 n = bound(rounds, 1, 16);
        for (uint256 r = 0; r < n; ++r) {
            uint256 h = uint256(keccak256(abi.encode(seed, r)));
            address holder = holders[h % HOLDERS];
            address to = c[(h >> 8) % CANDIDATES];
            token.transfer(holder, bound(h >> 16, 0, 2_000 ether));
            _delegate(holder, to);
            if ((h >> 128) & 1 == 1) set.rerank(to);
            // The heap's top holds the highest stored key (stale or not).
            address top = _top();
            uint256 topNode = _node(set.backupKeyOf(top), top);
            for (uint256 i = 0; i < CANDIDATES; ++i) {
                assertLe(_node(set.backupKeyOf(c[i]), c[i]), topNode, "top is not the highest stored key");
            }
        }
        address best;
        uint256 bestNode;
        for (uint256 i = 0; i < CANDIDATES; ++i) {
            set.rerank(c[i]);
            uint256 key = stake.bondedOf(c[i]) + token.getVotes(c[i]);
            assertEq(set.backupKeyOf(c[i]), key, "reranked key is not bonded + votes");
            uint256 node = _node(key, c[i]);
            if (node > bestNode) (best, bestNode) = (c[i], node);
        }
        assertEq(set.fillVacancies(1), 1);
        assertTrue(set.isActive(best), "the first promoted is not the highest bonded + votes");
    }
}
