// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title StakeLedgerHarness
/// @notice SMTChecker (CHC) harness for StakeManager's stake accounting: one validator's ledger (bonded bucket,
///         up to 8 unbonding requests, tombstone flag) and the contract-wide totals, with exactly the state
///         transitions of StakeManager's `bond`, `requestUnbond`, `withdraw`, `slash` (`_takeStake`,
///         `_slashUnbonding`, `_payOut`) and `claimReward`, minus what CHC cannot model (the ERC-7201 storage
///         pointer, AccessControl, the reentrancy guard, token transfers, the observer callback, events).
///         `held` is a ghost of the token balance: what the real contract's transfers move.
/// @dev Compiled only by tools/smt/run.ts and by the differential test test/formal/StakeLedgerHarness.t.sol,
///      which replays random operation sequences on this harness and on the real StakeManager and requires
///      the same totals, bonded stake and requests after every step (so the copy cannot drift unnoticed).
///      Keep the arithmetic here line for line with contracts/staking/StakeManager.sol.
contract StakeLedgerHarness {
    struct Request {
        uint128 amount;
        uint64 requestedAt;
        uint64 releaseAt;
    }

    // No named constants: solc's BMC engine does not see their values (it reads them as free variables),
    // so the bounds are literals: 8 = MAX_UNBONDING_REQUESTS, 10_000 = BPS.

    uint64 public immutable unbondingPeriod;

    // The validator's ledger (StakeManager.ValidatorState without the jail fields, which move no stake).
    uint128 public bonded;
    bool public tombstoned;
    uint8 public requestCount;
    Request[8] internal requests;

    // StakeManager.Totals.
    uint256 public deposited;
    uint256 public totalBonded;
    uint256 public unbonding;
    uint256 public withdrawn;
    uint256 public slashed;
    uint256 public rewardsOwed;

    // Ghosts: tokens the contract holds, and rewards paid out by claimReward.
    uint256 public held;
    uint256 public claimed;

    constructor(uint64 unbondingPeriod_) {
        unbondingPeriod = unbondingPeriod_;
    }

    /// @notice StakeManager.bond.
    function bond(uint256 amount) external {
        require(_invariantsHold() && _environment());
        if (amount == 0 || tombstoned) revert();
        uint256 newBonded = uint256(bonded) + amount;
        if (newBonded > type(uint128).max) revert();

        bonded = uint128(newBonded);
        deposited += amount;
        totalBonded += amount;
        held += amount; // safeTransferFrom(validator, this, amount)
        assert(_invariantsHold());
    }

    /// @notice StakeManager.requestUnbond.
    function requestUnbond(uint256 amount) external {
        require(_invariantsHold() && _environment());
        if (amount == 0) revert();
        uint256 b = bonded;
        if (amount > b) revert();
        uint256 count = requestCount;
        if (count >= 8) revert(); // MAX_UNBONDING_REQUESTS

        uint64 releaseAt = uint64(block.timestamp) + unbondingPeriod;
        bonded = uint128(b - amount);
        requestCount = uint8(count + 1);
        requests[count] = Request({
            amount: uint128(amount),
            requestedAt: uint64(block.timestamp),
            releaseAt: releaseAt
        });
        totalBonded -= amount;
        unbonding += amount;
        assert(_invariantsHold());
    }

    /// @notice StakeManager.withdraw.
    function withdraw() external returns (uint256 amount) {
        require(_invariantsHold() && _environment());
        uint256 count = requestCount;
        uint256 kept;
        for (uint256 i; i < count; ++i) {
            Request memory r = requests[i];
            if (r.releaseAt <= block.timestamp) {
                amount += r.amount;
            } else {
                if (kept != i) requests[kept] = r;
                ++kept;
            }
        }
        if (amount == 0) revert();
        for (uint256 i = kept; i < count; ++i) {
            delete requests[i];
        }
        requestCount = uint8(kept);
        unbonding -= amount;
        withdrawn += amount;
        held -= amount; // safeTransfer(validator, amount)
        assert(_invariantsHold());
    }

    /// @notice StakeManager.slash (`hasRecipient`: a reward recipient that is neither zero nor the validator).
    function slash(
        uint256 bps,
        uint256 faultAt,
        bool hasRecipient,
        uint256 rewardBps,
        uint256 rewardCap
    ) external returns (uint256 cut, uint256 reward) {
        require(_invariantsHold() && _environment());
        if (bps > 10_000 || rewardBps > 10_000) revert();
        // _takeStake
        uint256 fromBonded = (uint256(bonded) * bps) / 10_000;
        if (fromBonded != 0) bonded -= uint128(fromBonded);
        uint256 fromUnbonding = _slashUnbonding(bps, faultAt);
        cut = fromBonded + fromUnbonding;
        totalBonded -= fromBonded;
        unbonding -= fromUnbonding;
        slashed += cut;
        if (hasRecipient) {
            reward = (cut * rewardBps) / 10_000;
            if (reward > rewardCap) reward = rewardCap;
        }
        // _payOut
        uint256 toTreasury = cut - reward;
        if (reward != 0) rewardsOwed += reward;
        held -= toTreasury; // safeTransfer(treasury, toTreasury)
        // One assertion per property here: the cuts' non-linear arithmetic keeps some of them out of reach, and
        // a single combined assertion would hide which.
        assert(deposited == totalBonded + unbonding + withdrawn + slashed);
        assert(totalBonded == bonded);
        assert(held == totalBonded + unbonding + rewardsOwed);
        assert(rewardsOwed + claimed <= slashed);
        assert(requestCount <= 8);
    }

    /// @notice StakeManager.claimReward: `amount` is the credit of the recipient who claims (<= all credits).
    function claimReward(uint256 amount) external {
        require(_invariantsHold() && _environment());
        if (amount == 0 || amount > rewardsOwed) revert();
        rewardsOwed -= amount;
        claimed += amount;
        held -= amount; // safeTransfer(to, amount)
        assert(_invariantsHold());
    }

    /// @notice StakeManager.tombstone (moves no stake; stops further bonds).
    function tombstone() external {
        require(_invariantsHold() && _environment());
        if (tombstoned) revert();
        tombstoned = true;
        assert(_invariantsHold());
    }

    /// @notice The pending request `i` (for the differential test).
    function requestAt(uint256 i) external view returns (Request memory) {
        return requests[i];
    }

    /// @dev Assumed, not proved: the chain's clock is before 2^40 s (year ~36,800) and the unbonding period
    ///      is within StakeManager's bound (MAX_UNBONDING_PERIOD = 90 days).
    function _environment() private view returns (bool) {
        return block.timestamp < 2 ** 40 && unbondingPeriod <= 90 days;
    }

    /// @dev The properties proved. Every operation requires them on entry and asserts them on exit: the
    ///      SMTChecker proves each operation preserves them (or reverts). The constructor establishes them
    ///      (everything zero), so by induction they hold in every reachable state, after any sequence.
    function _invariantsHold() private view returns (bool) {
        return
            // Stake conservation: every token ever deposited is bonded, unbonding, withdrawn or slashed.
            deposited == totalBonded + unbonding + withdrawn + slashed &&
            // The totals follow the validator's ledger (one validator here).
            totalBonded == bonded &&
            // Solvency: the contract holds exactly what it owes (stake still in it, unclaimed rewards).
            held == totalBonded + unbonding + rewardsOwed &&
            // Rewards credited (claimed or not) never exceed what was slashed.
            rewardsOwed + claimed <= slashed &&
            // At most 8 pending requests (bounds every loop over them).
            requestCount <= 8; // MAX_UNBONDING_REQUESTS
    }

    /// @dev StakeManager._slashUnbonding.
    function _slashUnbonding(uint256 bps, uint256 faultAt) private returns (uint256 cutTotal) {
        uint256 count = requestCount;
        uint256 kept;
        for (uint256 i; i < count; ++i) {
            Request memory r = requests[i];
            uint256 c;
            if (r.requestedAt > faultAt) {
                c = (uint256(r.amount) * bps) / 10_000;
                r.amount -= uint128(c);
                cutTotal += c;
            }
            if (r.amount == 0) continue;
            if (c != 0 || kept != i) requests[kept] = r;
            ++kept;
        }
        if (kept != count) {
            for (uint256 i = kept; i < count; ++i) {
                delete requests[i];
            }
            requestCount = uint8(kept);
        }
    }
}
