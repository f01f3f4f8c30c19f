// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";

import {HealToken} from "../../../contracts/governance/HealToken.sol";
import {IStakeManager} from "../../../contracts/interfaces/IStakeManager.sol";
import {StakeManager} from "../../../contracts/staking/StakeManager.sol";

/// @dev Drives a StakeManager for the invariant test: validators bonding, unbonding and withdrawing, a slasher
///      with random bps and fault times, a jailer, a clock that jumps far or lands exactly on a boundary, a
///      validator trying to escape a pending slash by unbonding right after its fault, reward claimers, and a
///      donor sending tokens straight to the contract. The handler holds the slasher, jailer and parameter
///      roles. Every outcome is compared with what the spec predicts from the state read just before the call;
///      a mismatch is counted (not reverted: reverts are ignored by the fuzzer) and the invariants require zero.
contract StakeManagerHandler is Test {
    uint256 internal constant BPS = 10_000;

    StakeManager public immutable sm;
    HealToken public immutable token;
    address public immutable treasury;
    address[] internal validators;
    address[] internal reporters;

    /// @dev The clock, replayed at the start of every call so warps persist across the sequence.
    uint256 public currentTime;

    // Ghost ledger, kept from the handler's own predictions.
    mapping(address validator => uint256) public ghostBonded;
    mapping(address validator => uint256) public ghostUnbonding;
    uint256 public ghostDeposited;
    uint256 public ghostWithdrawn;
    uint256 public ghostSlashed;
    uint256 public ghostToTreasury;
    uint256 public ghostRewardsCredited;
    uint256 public ghostRewardsClaimed;
    uint256 public ghostDonated;

    /// @dev Violations seen by the handler, by name; the invariants require each to be zero.
    mapping(bytes32 name => uint256) public violations;
    /// @dev How often each action did something, by name.
    mapping(bytes32 name => uint256) public actions;

    constructor(
        StakeManager sm_,
        HealToken token_,
        address[] memory validators_,
        address[] memory reporters_
    ) {
        sm = sm_;
        token = token_;
        treasury = sm_.treasury();
        validators = validators_;
        reporters = reporters_;
        currentTime = block.timestamp;
    }

    modifier synced() {
        vm.warp(currentTime);
        _;
    }

    // ------------------------------------------------------------------ validators

    function bond(uint256 vSeed, uint256 amount) external synced {
        address v = _validator(vSeed);
        uint256 balance = token.balanceOf(v);
        if (balance == 0) return;
        amount = bound(amount, 1, balance < 1e26 ? balance : 1e26);
        bool tombstoned = sm.isTombstoned(v);
        vm.prank(v);
        try sm.bond(amount) {
            if (tombstoned) ++violations["tombstonedBonds"];
            ghostBonded[v] += amount;
            ghostDeposited += amount;
            ++actions["bonds"];
        } catch {
            if (!tombstoned) ++violations["unexpectedReverts"]; // a bond the spec allows must not fail
        }
    }

    function requestUnbond(uint256 vSeed, uint256 amount) external synced {
        address v = _validator(vSeed);
        if (ghostBonded[v] == 0) return;
        if (sm.unbondingRequestsOf(v).length == sm.MAX_UNBONDING_REQUESTS()) return;
        amount = bound(amount, 1, ghostBonded[v]);
        vm.prank(v);
        sm.requestUnbond(amount);
        ghostBonded[v] -= amount;
        ghostUnbonding[v] += amount;
    }

    function withdraw(uint256 vSeed) external synced {
        address v = _validator(vSeed);
        IStakeManager.UnbondingRequest[] memory before = sm.unbondingRequestsOf(v);
        uint256 matured;
        uint256 immature;
        for (uint256 i; i < before.length; ++i) {
            if (before[i].releaseAt <= block.timestamp) matured += before[i].amount;
            else ++immature;
        }
        uint256 balanceBefore = token.balanceOf(v);
        vm.prank(v);
        try sm.withdraw() returns (uint256 paid) {
            if (paid != matured || matured == 0) ++violations["earlyWithdrawals"];
            if (token.balanceOf(v) - balanceBefore != paid) ++violations["earlyWithdrawals"];
            IStakeManager.UnbondingRequest[] memory left = sm.unbondingRequestsOf(v);
            if (left.length != immature) ++violations["earlyWithdrawals"];
            for (uint256 i; i < left.length; ++i) {
                if (left[i].releaseAt <= block.timestamp) ++violations["earlyWithdrawals"];
            }
            ghostUnbonding[v] -= paid;
            ghostWithdrawn += paid;
            ++actions["withdrawals"];
        } catch {
            if (matured != 0) ++violations["earlyWithdrawals"]; // a matured request must be payable
        }
    }

    function unjail(uint256 vSeed) external synced {
        address v = _validator(vSeed);
        bool allowed =
            sm.isJailed(v) &&
                !sm.isTombstoned(v) &&
                block.timestamp >= sm.jailedUntil(v) &&
                sm.bondedOf(v) >= sm.minStake();
        vm.prank(v);
        try sm.unjail() {
            if (!allowed || sm.isJailed(v)) ++violations["badUnjails"];
        } catch {
            if (allowed) ++violations["badUnjails"];
        }
    }

    // ------------------------------------------------------------------ slasher

    function slash(
        uint256 vSeed,
        uint256 bps,
        uint256 faultBack,
        uint256 recipientSeed,
        uint256 rewardBps,
        uint256 capSeed
    ) external synced {
        address v = _validator(vSeed);
        uint256 back = bound(faultBack, 0, 2 * uint256(sm.unbondingPeriod()));
        uint256 faultAt = block.timestamp > back ? block.timestamp - back : 0;
        bps = bound(bps, 0, BPS);
        rewardBps = bound(rewardBps, 0, BPS);
        address recipient = _recipient(recipientSeed, v);
        // The cap lands on the uncapped reward, one below it, or anywhere.
        uint256 uncapped = _predict(v, bps, faultAt, recipient, rewardBps, type(uint256).max).reward;
        uint256 rewardCap;
        if (capSeed % 3 == 0) rewardCap = uncapped;
        else if (capSeed % 3 == 1) rewardCap = uncapped == 0 ? 0 : uncapped - 1;
        else rewardCap = bound(capSeed, 0, 1e27);
        _slashAndCheck(v, bps, faultAt, recipient, rewardBps, rewardCap);
    }

    /// The escape attempt: the validator commits a fault, unbonds right after it, and the slash lands later
    /// (before the request matures). The request must lose its share like the bonded stake.
    function faultThenEscape(
        uint256 vSeed,
        uint256 amount,
        uint256 gap,
        uint256 delay,
        uint256 bps
    ) external synced {
        address v = _validator(vSeed);
        if (ghostBonded[v] == 0) return;
        if (sm.unbondingRequestsOf(v).length == sm.MAX_UNBONDING_REQUESTS()) return;
        uint256 faultAt = block.timestamp;
        _advance(bound(gap, 1, 1 hours));
        amount = bound(amount, 1, ghostBonded[v]);
        vm.prank(v);
        sm.requestUnbond(amount);
        ghostBonded[v] -= amount;
        ghostUnbonding[v] += amount;
        // Try to get out before the slash: the fresh request cannot be withdrawn (older ones may be).
        _advance(bound(delay, 0, uint256(sm.unbondingPeriod()) - 1));
        uint256 n = sm.unbondingRequestsOf(v).length;
        IStakeManager.UnbondingRequest memory fresh = sm.unbondingRequestsOf(v)[n - 1];
        this.withdraw(vSeed);
        IStakeManager.UnbondingRequest[] memory after_ = sm.unbondingRequestsOf(v);
        if (after_.length == 0 || after_[after_.length - 1].requestedAt != fresh.requestedAt)
            ++violations["escapes"];

        bps = bound(bps, 1, BPS);
        uint256 pendingBefore = sm.unbondingOf(v);
        _slashAndCheck(v, bps, faultAt, reporters[0], BPS / 10, type(uint256).max);
        uint256 expectedCut = (uint256(fresh.amount) * bps) / BPS;
        if (pendingBefore - sm.unbondingOf(v) < expectedCut) ++violations["escapes"];
        ++actions["escapeAttempts"];
    }

    // ------------------------------------------------------------------ jailer

    function jail(uint256 vSeed, uint256 offset, bool inThePast) external synced {
        address v = _validator(vSeed);
        offset = bound(offset, 0, 400 days);
        uint64 until = uint64(
            inThePast ? (block.timestamp > offset ? block.timestamp - offset : 0) : block.timestamp + offset
        );
        bool wasJailed = sm.isJailed(v);
        uint64 before = sm.jailedUntil(v);
        sm.jail(v, until);
        uint64 expected = wasJailed && before > until ? before : until;
        if (sm.jailedUntil(v) != expected || !sm.isJailed(v)) ++violations["jailShortenings"];
    }

    function release(uint256 vSeed) external synced {
        address v = _validator(vSeed);
        if (sm.isTombstoned(v)) return;
        sm.release(v);
        if (sm.isJailed(v) || sm.jailedUntil(v) != 0) ++violations["badUnjails"];
    }

    function tombstone(uint256 vSeed, uint256 chance) external synced {
        if (chance % 8 != 0) return; // keep it rare, or every validator is soon tombstoned
        address v = _validator(vSeed);
        if (sm.isTombstoned(v)) return;
        sm.tombstone(v);
    }

    // ------------------------------------------------------------------ others

    function claimReward(uint256 recipientSeed, uint256 toSeed) external synced {
        address r = _anyone(recipientSeed);
        uint256 owed = sm.rewardOf(r);
        if (owed == 0) return;
        address to = _anyone(toSeed);
        uint256 balanceBefore = token.balanceOf(to);
        vm.prank(r);
        uint256 paid = sm.claimReward(to);
        if (paid != owed || token.balanceOf(to) - balanceBefore != paid) ++violations["slashMismatches"];
        ghostRewardsClaimed += paid;
        ++actions["claims"];
    }

    function donate(uint256 amount) external synced {
        amount = bound(amount, 0, token.balanceOf(address(this)) / 1000);
        if (amount == 0) return;
        token.transfer(address(sm), amount);
        ghostDonated += amount;
    }

    function setUnbondingPeriod(uint256 period) external synced {
        sm.setParameters(sm.minStake(), uint64(bound(period, 7 days, 90 days)), treasury);
    }

    function warp(uint256 seconds_) external synced {
        _advance(bound(seconds_, 0, 5 * 365 days));
    }

    /// Lands exactly on a request's releaseAt or one second before it, or on a jail's end or one before.
    function warpToBoundary(uint256 vSeed, uint256 which, bool oneBefore) external synced {
        address v = _validator(vSeed);
        IStakeManager.UnbondingRequest[] memory r = sm.unbondingRequestsOf(v);
        uint256 target;
        if (r.length != 0 && which % 3 != 0) {
            target = r[which % r.length].releaseAt;
        } else if (sm.isJailed(v) && !sm.isTombstoned(v)) {
            target = sm.jailedUntil(v);
        } else {
            return;
        }
        if (oneBefore) target -= 1;
        if (target > currentTime) _advance(target - currentTime);
    }

    // ------------------------------------------------------------------ views for the invariants

    function validatorCount() external view returns (uint256) {
        return validators.length;
    }

    function validatorAt(uint256 i) external view returns (address) {
        return validators[i];
    }

    function recipientCount() external view returns (uint256) {
        return validators.length + reporters.length;
    }

    function recipientAt(uint256 i) external view returns (address) {
        return _anyone(i);
    }

    // ------------------------------------------------------------------ internals

    struct Expected {
        uint256 fromBonded;
        uint256 fromUnbonding;
        uint256 reward;
        uint256 kept;
        IStakeManager.UnbondingRequest[] requests;
    }

    /// The spec's prediction of a slash, from the state just before it.
    function _predict(
        address v,
        uint256 bps,
        uint256 faultAt,
        address recipient,
        uint256 rewardBps,
        uint256 rewardCap
    ) internal view returns (Expected memory e) {
        e.requests = sm.unbondingRequestsOf(v);
        e.fromBonded = (sm.bondedOf(v) * bps) / BPS;
        for (uint256 i; i < e.requests.length; ++i) {
            if (e.requests[i].requestedAt > faultAt) {
                uint256 cut = (uint256(e.requests[i].amount) * bps) / BPS;
                e.fromUnbonding += cut;
                e.requests[i].amount -= uint128(cut);
            }
            if (e.requests[i].amount != 0) e.requests[e.kept++] = e.requests[i];
        }
        if (recipient != address(0) && recipient != v) {
            e.reward = ((e.fromBonded + e.fromUnbonding) * rewardBps) / BPS;
            if (e.reward > rewardCap) e.reward = rewardCap;
        }
    }

    function _slashAndCheck(
        address v,
        uint256 bps,
        uint256 faultAt,
        address recipient,
        uint256 rewardBps,
        uint256 rewardCap
    ) internal {
        Expected memory e = _predict(v, bps, faultAt, recipient, rewardBps, rewardCap);
        uint256 treasuryBefore = token.balanceOf(treasury);

        (uint256 slashed, uint256 reward) = sm.slash(
            v,
            bps,
            faultAt,
            recipient,
            rewardBps,
            rewardCap,
            actions["slashes"]
        );

        if (slashed != e.fromBonded + e.fromUnbonding || reward != e.reward) ++violations["slashMismatches"];
        if (token.balanceOf(treasury) - treasuryBefore != slashed - reward) ++violations["slashMismatches"];
        IStakeManager.UnbondingRequest[] memory after_ = sm.unbondingRequestsOf(v);
        if (after_.length != e.kept) ++violations["slashMismatches"];
        for (uint256 i; i < after_.length && i < e.kept; ++i) {
            if (
                after_[i].amount != e.requests[i].amount || after_[i].requestedAt != e.requests[i].requestedAt
            ) {
                ++violations["slashMismatches"];
            }
        }
        ghostBonded[v] -= e.fromBonded;
        ghostUnbonding[v] -= e.fromUnbonding;
        ghostSlashed += slashed;
        ghostRewardsCredited += reward;
        ghostToTreasury += slashed - reward;
        ++actions["slashes"];
    }

    function _advance(uint256 seconds_) internal {
        currentTime += seconds_;
        vm.warp(currentTime);
    }

    function _validator(uint256 seed) internal view returns (address) {
        return validators[seed % validators.length];
    }

    /// A reward recipient: a reporter, the validator itself (self-report), or nobody.
    function _recipient(uint256 seed, address v) internal view returns (address) {
        uint256 k = seed % (reporters.length + 2);
        if (k < reporters.length) return reporters[k];
        return k == reporters.length ? v : address(0);
    }

    function _anyone(uint256 seed) internal view returns (address) {
        uint256 k = seed % (validators.length + reporters.length);
        return k < validators.length ? validators[k] : reporters[k - validators.length];
    }
}
