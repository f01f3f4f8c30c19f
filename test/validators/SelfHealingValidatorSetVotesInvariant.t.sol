// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {HealToken} from "../../contracts/governance/HealToken.sol";
import {IValidatorSet} from "../../contracts/interfaces/IValidatorSet.sol";
import {SetFixture} from "./handlers/SetFixture.sol";
import {VotesRankHandler} from "./handlers/VotesRankHandler.sol";

/// @dev Invariants of the backup heap ranked by bonded stake + delegated votes (issue #9): votes move without
///      telling the set, so stored keys go stale, but only ever to the value of the candidate's last touch.
contract SelfHealingValidatorSetVotesInvariantTest is SetFixture {
    uint256 internal constant CANDIDATES = 6; // registered at setUp
    uint256 internal constant LATE = 3; // registered by the handler
    uint256 internal constant HOLDERS = 4;
    /// @dev rerank is O(log n) on a heap of at most CANDIDATES + LATE; generous, but far under a loop over
    ///      delegators or candidates.
    uint256 internal constant RERANK_GAS_CAP = 120_000;

    HealToken internal token;
    VotesRankHandler internal handler;

    function setUp() public {
        IValidatorSet.Parameters memory p = _defaultParams();
        p.maxActive = 5;
        p.minActive = 1;
        _deploy(p);
        token = new HealToken(address(this), 1e27);
        stake.setStakeToken(address(token));
        address[] memory cs = new address[](CANDIDATES + LATE);
        for (uint256 i = 0; i < CANDIDATES; ++i)
            cs[i] = _candidate(string.concat("c", vm.toString(i)), (200 + 10 * i) * 1 ether);
        for (uint256 i = 0; i < LATE; ++i)
            cs[CANDIDATES + i] = makeAddr(string.concat("late", vm.toString(i)));
        set.fillVacancies(1);
        address[] memory hs = new address[](HOLDERS);
        for (uint256 k = 0; k < HOLDERS; ++k) {
            hs[k] = makeAddr(string.concat("holder", vm.toString(k)));
            token.transfer(hs[k], 1_000 ether);
        }
        handler = new VotesRankHandler(set, health, stake, token, cs, hs);
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](9);
        selectors[0] = VotesRankHandler.delegate.selector;
        selectors[1] = VotesRankHandler.undelegate.selector;
        selectors[2] = VotesRankHandler.transferVotes.selector;
        selectors[3] = VotesRankHandler.bond.selector;
        selectors[4] = VotesRankHandler.unbond.selector;
        selectors[5] = VotesRankHandler.rerank.selector;
        selectors[6] = VotesRankHandler.register.selector;
        selectors[7] = VotesRankHandler.fill.selector;
        selectors[8] = VotesRankHandler.exitActive.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    function _backups() internal view returns (address[] memory) {
        return set.backupValidators(0, set.backupCount());
    }

    function invariant_storedKeyIsBondedPlusVotesAtLastTouch() public view {
        address[] memory b = _backups();
        for (uint256 i = 0; i < b.length; ++i)
            assertEq(set.backupKeyOf(b[i]), handler.ghostKeyOf(b[i]), "stored key moved without a touch");
    }

    function invariant_bestBackupHoldsMaxStoredKey() public view {
        address[] memory b = _backups();
        if (b.length == 0) return;
        address top = b[0];
        uint256 topNode = (set.backupKeyOf(top) << 160) | uint256(uint160(top));
        for (uint256 i = 1; i < b.length; ++i) {
            uint256 node = (set.backupKeyOf(b[i]) << 160) | uint256(uint160(b[i]));
            assertLt(node, topNode, "a backup outranks the heap top");
        }
    }

    function invariant_rerankKeyIsLiveBondedPlusVotes() public view {
        assertEq(handler.rerankMismatches(), 0);
    }

    function invariant_promotedBackupHasMaxStoredKey() public view {
        assertEq(handler.promotionMismatches(), 0);
    }

    function invariant_activeAndBackupDisjoint() public view {
        address[] memory active = set.activeValidators();
        address[] memory b = _backups();
        for (uint256 i = 0; i < active.length; ++i) {
            assertEq(set.backupKeyOf(active[i]), 0, "active validator still in the heap");
            for (uint256 j = 0; j < b.length; ++j) assertTrue(active[i] != b[j], "active and backup");
        }
        for (uint256 j = 0; j < b.length; ++j)
            assertEq(uint8(set.statusOf(b[j])), uint8(IValidatorSet.Status.Backup));
        uint256 backups;
        for (uint256 i = 0; i < handler.candidateCount(); ++i)
            if (set.statusOf(handler.candidates(i)) == IValidatorSet.Status.Backup) ++backups;
        assertEq(backups, b.length, "status Backup and heap membership differ");
    }

    function invariant_rerankGasBounded() public view {
        assertLe(handler.maxRerankGas(), RERANK_GAS_CAP);
    }
}
