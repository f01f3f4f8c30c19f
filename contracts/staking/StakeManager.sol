// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {Versioned} from "../upgrades/Versioned.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IStakeManager} from "../interfaces/IStakeManager.sol";
import {IStakeObserver} from "../interfaces/IStakeObserver.sol";

// Unbonding periods and jail terms are days long; the ~15 s of timestamp leeway a block producer has is
// negligible against them. (solhint reads everything after a directive as rule names, hence two lines.)
// solhint-disable not-rely-on-time

/// @title StakeManager
/// @notice Custody and accounting of validators' bonded HealToken stake: bond, unbond after a delay, slash
///         (with a capped, pulled reward for the reporter and the rest to the treasury), jail and tombstone.
/// @dev Upgrade-ready: initializer instead of constructor state, ERC-7201 namespaced storage, AccessControl
///      roles. The reentrancy guard is transient (EIP-1153), so it keeps no state in the proxy's storage.
///      Jail is a state, not a clock: a jailed validator stays jailed until it calls `unjail` (allowed once
///      `jailedUntil` has passed) or the jailer role `release`s it, as in Cosmos x/slashing.
contract StakeManager is IStakeManager, Versioned, AccessControlUpgradeable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice May call `setParameters` (the DAO timelock).
    bytes32 public constant PARAMETER_ROLE = keccak256("PARAMETER_ROLE");
    /// @notice May call `slash` (the validator set, the recovery manager).
    bytes32 public constant SLASHER_ROLE = keccak256("SLASHER_ROLE");
    /// @notice May call `jail`, `release` and `tombstone` (the validator set, the recovery manager).
    bytes32 public constant JAILER_ROLE = keccak256("JAILER_ROLE");

    /// @notice Maximum number of pending unbonding requests per validator (bounds every loop over them).
    uint256 public constant MAX_UNBONDING_REQUESTS = 8;

    /// @notice Lower bound of `minStake`: 1 token (18 decimals).
    uint256 public constant MIN_MIN_STAKE = 1e18;
    /// @notice Upper bound of `minStake`: 10^9 tokens (18 decimals).
    uint256 public constant MAX_MIN_STAKE = 1e27;
    /// @notice Lower bound of `unbondingPeriod`.
    uint64 public constant MIN_UNBONDING_PERIOD = 7 days;
    /// @notice Upper bound of `unbondingPeriod`.
    uint64 public constant MAX_UNBONDING_PERIOD = 90 days;

    uint256 private constant BPS = 10_000;

    /// @dev One validator's ledger.
    /// Layout: slot 0 = bonded (128) | jailedUntil (64) | jailed (8) | tombstoned (8) | requestCount (8);
    ///         slots 1..8 = requests[i] = amount (128) | requestedAt (64) | releaseAt (64).
    /// Pending requests are requests[0 .. requestCount), each with amount > 0, in the order they were opened.
    struct ValidatorState {
        uint128 bonded;
        uint64 jailedUntil;
        bool jailed;
        bool tombstoned;
        uint8 requestCount;
        UnbondingRequest[MAX_UNBONDING_REQUESTS] requests;
    }

    /// @custom:storage-location erc7201:healnet.storage.StakeManager
    struct StakeManagerStorage {
        IERC20 token;
        // slot: treasury (160) | unbondingPeriod (64)
        address treasury;
        uint64 unbondingPeriod;
        address observer;
        uint256 minStake;
        Totals totals;
        mapping(address validator => ValidatorState) validators;
        mapping(address recipient => uint256) rewards;
    }

    // keccak256(abi.encode(uint256(keccak256("healnet.storage.StakeManager")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STAKE_MANAGER_STORAGE_LOCATION =
        0xd23f52dc31e4d5620328a3cd0d1054d7287ae7f7fd6bce7b8cb2a06825176300;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initializes the proxy's state.
    /// @param admin Holds DEFAULT_ADMIN_ROLE (grants the other roles, sets the observer).
    /// @param token The stake token (the HealToken).
    /// @param treasury_ Receives slashed stake net of rewards.
    /// @param minStake_ Minimum bonded stake of a candidate (1 .. 10^9 tokens).
    /// @param unbondingPeriod_ Seconds before unbonded stake can be withdrawn (7 .. 90 days).
    function initialize(
        address admin,
        IERC20 token,
        address treasury_,
        uint256 minStake_,
        uint64 unbondingPeriod_
    ) external initializer {
        if (admin == address(0)) revert StakeManagerZeroAddress("admin");
        if (address(token) == address(0)) revert StakeManagerZeroAddress("token");
        __AccessControl_init();
        _getStorage().token = token;
        _setParameters(minStake_, unbondingPeriod_, treasury_);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ------------------------------------------------------------------ validators

    /// @inheritdoc IStakeManager
    function bond(uint256 amount) external nonReentrant {
        StakeManagerStorage storage $ = _getStorage();
        ValidatorState storage v = $.validators[msg.sender];
        if (amount == 0) revert StakeManagerZeroAmount();
        if (v.tombstoned) revert StakeManagerTombstoned(msg.sender);
        uint256 newBonded = uint256(v.bonded) + amount;
        if (newBonded > type(uint128).max) revert StakeManagerAmountTooLarge(amount);

        v.bonded = uint128(newBonded); // fits: checked above
        $.totals.deposited += amount;
        $.totals.bonded += amount;
        emit Bonded(msg.sender, amount, newBonded);

        $.token.safeTransferFrom(msg.sender, address(this), amount);
        _notify($, msg.sender);
    }

    /// @inheritdoc IStakeManager
    function requestUnbond(uint256 amount) external nonReentrant {
        StakeManagerStorage storage $ = _getStorage();
        ValidatorState storage v = $.validators[msg.sender];
        if (amount == 0) revert StakeManagerZeroAmount();
        uint256 bonded = v.bonded;
        if (amount > bonded) revert StakeManagerInsufficientBonded(msg.sender, amount, bonded);
        uint256 count = v.requestCount;
        if (count >= MAX_UNBONDING_REQUESTS) {
            revert StakeManagerTooManyUnbondingRequests(msg.sender, MAX_UNBONDING_REQUESTS);
        }

        uint64 releaseAt = uint64(block.timestamp) + $.unbondingPeriod;
        // amount <= bonded < 2^128, so both narrowings are exact.
        v.bonded = uint128(bonded - amount);
        v.requestCount = uint8(count + 1);
        v.requests[count] = UnbondingRequest({
            amount: uint128(amount),
            requestedAt: uint64(block.timestamp),
            releaseAt: releaseAt
        });
        $.totals.bonded -= amount;
        $.totals.unbonding += amount;
        emit UnbondRequested(msg.sender, amount, releaseAt);

        // The unbond hook (not onStakeChanged): the observer may refuse a voluntary unbond, never a penalty.
        address observer = $.observer;
        if (observer != address(0) && observer != msg.sender) {
            IStakeObserver(observer).onUnbondRequested(msg.sender);
        }
    }

    /// @inheritdoc IStakeManager
    function withdraw() external nonReentrant returns (uint256 amount) {
        StakeManagerStorage storage $ = _getStorage();
        ValidatorState storage v = $.validators[msg.sender];
        uint256 count = v.requestCount;
        uint256 kept;
        // bounded: count <= MAX_UNBONDING_REQUESTS (8). Pays every matured request, compacts the rest in order.
        for (uint256 i; i < count; ++i) {
            UnbondingRequest memory r = v.requests[i];
            if (r.releaseAt <= block.timestamp) {
                amount += r.amount;
            } else {
                if (kept != i) v.requests[kept] = r;
                ++kept;
            }
        }
        if (amount == 0) revert StakeManagerNothingToWithdraw(msg.sender);
        // bounded: count <= MAX_UNBONDING_REQUESTS (8).
        for (uint256 i = kept; i < count; ++i) {
            delete v.requests[i];
        }
        v.requestCount = uint8(kept); // kept <= count <= 8
        $.totals.unbonding -= amount;
        $.totals.withdrawn += amount;
        emit Withdrawn(msg.sender, amount);

        $.token.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IStakeManager
    function unjail() external {
        StakeManagerStorage storage $ = _getStorage();
        ValidatorState storage v = $.validators[msg.sender];
        if (v.tombstoned) revert StakeManagerTombstoned(msg.sender);
        if (!v.jailed) revert StakeManagerNotJailed(msg.sender);
        if (block.timestamp < v.jailedUntil) revert StakeManagerStillJailed(msg.sender, v.jailedUntil);
        uint256 min = $.minStake;
        if (v.bonded < min) revert StakeManagerBelowMinStake(msg.sender, v.bonded, min);

        _clearJail(v);
        emit Unjailed(msg.sender, msg.sender);

        _notify($, msg.sender);
    }

    // ------------------------------------------------------------------ slasher and jailer

    /// @inheritdoc IStakeManager
    function slash(
        address validator,
        uint256 bps,
        uint256 faultAt,
        address rewardRecipient,
        uint256 rewardBps,
        uint256 rewardCap,
        uint256 incidentId
    ) external onlyRole(SLASHER_ROLE) nonReentrant returns (uint256 slashed, uint256 reward) {
        if (validator == address(0)) revert StakeManagerZeroAddress("validator");
        if (bps > BPS) revert StakeManagerInvalidBps(bps);
        if (rewardBps > BPS) revert StakeManagerInvalidBps(rewardBps);
        StakeManagerStorage storage $ = _getStorage();

        uint256 fromBonded;
        (slashed, fromBonded) = _takeStake($, validator, bps, faultAt);
        if (rewardRecipient != address(0) && rewardRecipient != validator) {
            // slashed < 9 * 2^128 (a bonded bucket and 8 requests), so slashed * rewardBps cannot overflow.
            reward = (slashed * rewardBps) / BPS;
            if (reward > rewardCap) reward = rewardCap;
        }
        _payOut($, validator, incidentId, rewardRecipient, slashed, reward);

        if (fromBonded != 0) _notify($, validator);
    }

    /// @inheritdoc IStakeManager
    function jail(address validator, uint64 until) external onlyRole(JAILER_ROLE) {
        if (validator == address(0)) revert StakeManagerZeroAddress("validator");
        StakeManagerStorage storage $ = _getStorage();
        ValidatorState storage v = $.validators[validator];
        if (v.jailed && until <= v.jailedUntil) return; // never shortens a jail (a tombstone's is forever)

        v.jailed = true;
        v.jailedUntil = until;
        emit Jailed(validator, until);

        _notify($, validator);
    }

    /// @inheritdoc IStakeManager
    function release(address validator) external onlyRole(JAILER_ROLE) {
        StakeManagerStorage storage $ = _getStorage();
        ValidatorState storage v = $.validators[validator];
        if (v.tombstoned) revert StakeManagerTombstoned(validator);
        // Idempotent, like `jail`: a delayed recovery action must not fail because the validator already
        // unjailed itself in the meantime.
        if (!v.jailed) return;

        _clearJail(v);
        emit Unjailed(validator, msg.sender);

        _notify($, validator);
    }

    /// @inheritdoc IStakeManager
    function tombstone(address validator) external onlyRole(JAILER_ROLE) {
        if (validator == address(0)) revert StakeManagerZeroAddress("validator");
        StakeManagerStorage storage $ = _getStorage();
        ValidatorState storage v = $.validators[validator];
        if (v.tombstoned) revert StakeManagerTombstoned(validator);

        v.tombstoned = true;
        v.jailed = true;
        v.jailedUntil = type(uint64).max;
        emit Jailed(validator, type(uint64).max);
        emit Tombstoned(validator);

        _notify($, validator);
    }

    // ------------------------------------------------------------------ rewards

    /// @inheritdoc IStakeManager
    function claimReward(address to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert StakeManagerZeroAddress("to");
        StakeManagerStorage storage $ = _getStorage();
        amount = $.rewards[msg.sender];
        if (amount == 0) revert StakeManagerNoReward(msg.sender);

        $.rewards[msg.sender] = 0;
        $.totals.rewardsOwed -= amount;
        emit RewardClaimed(msg.sender, to, amount);

        $.token.safeTransfer(to, amount);
    }

    // ------------------------------------------------------------------ administration

    /// @inheritdoc IStakeManager
    function setParameters(
        uint256 minStake_,
        uint64 unbondingPeriod_,
        address treasury_
    ) external onlyRole(PARAMETER_ROLE) {
        _setParameters(minStake_, unbondingPeriod_, treasury_);
    }

    /// @inheritdoc IStakeManager
    function setStakeObserver(address observer) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (observer == address(0)) revert StakeManagerZeroAddress("observer");
        StakeManagerStorage storage $ = _getStorage();
        if ($.observer != address(0)) revert StakeManagerObserverAlreadySet($.observer);

        $.observer = observer;
        emit StakeObserverSet(observer);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IStakeManager
    function stakeToken() external view returns (address) {
        return address(_getStorage().token);
    }

    /// @inheritdoc IStakeManager
    function stakeObserver() external view returns (address) {
        return _getStorage().observer;
    }

    /// @inheritdoc IStakeManager
    function bondedOf(address validator) external view returns (uint256) {
        return _getStorage().validators[validator].bonded;
    }

    /// @inheritdoc IStakeManager
    function unbondingOf(address validator) external view returns (uint256 amount) {
        ValidatorState storage v = _getStorage().validators[validator];
        uint256 count = v.requestCount;
        // bounded: count <= MAX_UNBONDING_REQUESTS (8).
        for (uint256 i; i < count; ++i) {
            amount += v.requests[i].amount;
        }
    }

    /// @inheritdoc IStakeManager
    function unbondingRequestsOf(
        address validator
    ) external view returns (UnbondingRequest[] memory requests) {
        ValidatorState storage v = _getStorage().validators[validator];
        uint256 count = v.requestCount;
        requests = new UnbondingRequest[](count);
        // bounded: count <= MAX_UNBONDING_REQUESTS (8).
        for (uint256 i; i < count; ++i) {
            requests[i] = v.requests[i];
        }
    }

    /// @inheritdoc IStakeManager
    function isJailed(address validator) external view returns (bool) {
        return _getStorage().validators[validator].jailed;
    }

    /// @inheritdoc IStakeManager
    function jailedUntil(address validator) external view returns (uint64) {
        return _getStorage().validators[validator].jailedUntil;
    }

    /// @inheritdoc IStakeManager
    function isTombstoned(address validator) external view returns (bool) {
        return _getStorage().validators[validator].tombstoned;
    }

    /// @inheritdoc IStakeManager
    function rewardOf(address recipient) external view returns (uint256) {
        return _getStorage().rewards[recipient];
    }

    /// @inheritdoc IStakeManager
    function totals() external view returns (Totals memory) {
        return _getStorage().totals;
    }

    /// @inheritdoc IStakeManager
    function minStake() external view returns (uint256) {
        return _getStorage().minStake;
    }

    /// @inheritdoc IStakeManager
    function unbondingPeriod() external view returns (uint64) {
        return _getStorage().unbondingPeriod;
    }

    /// @inheritdoc IStakeManager
    function treasury() external view returns (address) {
        return _getStorage().treasury;
    }

    // ------------------------------------------------------------------ internals

    /// @dev Cuts `bps` from the bonded stake and from every request opened after `faultAt`; updates the
    ///      bonded, unbonding and slashed totals. Returns the total cut and the part cut from the bonded stake.
    function _takeStake(
        StakeManagerStorage storage $,
        address validator,
        uint256 bps,
        uint256 faultAt
    ) private returns (uint256 slashed, uint256 fromBonded) {
        ValidatorState storage v = $.validators[validator];
        // bonded < 2^128, so bonded * bps cannot overflow; the cut is at most the bucket.
        fromBonded = (uint256(v.bonded) * bps) / BPS;
        if (fromBonded != 0) v.bonded -= uint128(fromBonded);
        uint256 fromUnbonding = _slashUnbonding(v, bps, faultAt);
        slashed = fromBonded + fromUnbonding;
        $.totals.bonded -= fromBonded;
        $.totals.unbonding -= fromUnbonding;
        $.totals.slashed += slashed;
    }

    /// @dev Credits `reward` (<= slashed) to `recipient`, emits `Slashed`, sends the rest to the treasury.
    function _payOut(
        StakeManagerStorage storage $,
        address validator,
        uint256 incidentId,
        address recipient,
        uint256 slashed,
        uint256 reward
    ) private {
        uint256 toTreasury = slashed - reward; // reward <= slashed since rewardBps <= BPS
        if (reward != 0) {
            $.rewards[recipient] += reward;
            $.totals.rewardsOwed += reward;
        }
        emit Slashed(validator, incidentId, recipient, slashed, reward, toTreasury);
        // Conservation, asserted where the arithmetic is more than one amount moved between two buckets.
        assert(
            $.totals.deposited == $.totals.bonded + $.totals.unbonding + $.totals.withdrawn + $.totals.slashed
        );

        if (toTreasury != 0) $.token.safeTransfer($.treasury, toTreasury);
    }

    /// @dev Cuts `bps` from every pending request opened after `faultAt`, drops requests cut to zero (so no
    ///      empty request ever holds one of the 8 places), keeps the order. Returns the total cut.
    function _slashUnbonding(
        ValidatorState storage v,
        uint256 bps,
        uint256 faultAt
    ) private returns (uint256 cutTotal) {
        uint256 count = v.requestCount;
        uint256 kept;
        // bounded: count <= MAX_UNBONDING_REQUESTS (8).
        for (uint256 i; i < count; ++i) {
            UnbondingRequest memory r = v.requests[i];
            uint256 cut;
            if (r.requestedAt > faultAt) {
                // amount < 2^128, so amount * bps cannot overflow; cut <= amount.
                cut = (uint256(r.amount) * bps) / BPS;
                r.amount -= uint128(cut);
                cutTotal += cut;
            }
            if (r.amount == 0) continue; // dropped
            if (cut != 0 || kept != i) v.requests[kept] = r;
            ++kept;
        }
        if (kept != count) {
            // bounded: count <= MAX_UNBONDING_REQUESTS (8).
            for (uint256 i = kept; i < count; ++i) {
                delete v.requests[i];
            }
            v.requestCount = uint8(kept); // kept < count <= 8
        }
    }

    function _clearJail(ValidatorState storage v) private {
        v.jailed = false;
        v.jailedUntil = 0;
    }

    function _setParameters(uint256 minStake_, uint64 unbondingPeriod_, address treasury_) private {
        if (minStake_ < MIN_MIN_STAKE || minStake_ > MAX_MIN_STAKE) {
            revert StakeManagerInvalidParameter("minStake", minStake_, MIN_MIN_STAKE, MAX_MIN_STAKE);
        }
        if (unbondingPeriod_ < MIN_UNBONDING_PERIOD || unbondingPeriod_ > MAX_UNBONDING_PERIOD) {
            revert StakeManagerInvalidParameter(
                "unbondingPeriod",
                unbondingPeriod_,
                MIN_UNBONDING_PERIOD,
                MAX_UNBONDING_PERIOD
            );
        }
        if (treasury_ == address(0)) revert StakeManagerZeroAddress("treasury");
        StakeManagerStorage storage $ = _getStorage();
        $.minStake = minStake_;
        $.unbondingPeriod = unbondingPeriod_;
        $.treasury = treasury_;
        emit ParametersUpdated(minStake_, unbondingPeriod_, treasury_);
    }

    /// @dev Tells the observer that `validator`'s stake or jail status changed, unless there is no observer or
    ///      the observer is the caller (it already knows, and calling it back would re-enter it). A revert in
    ///      the observer reverts the whole change.
    function _notify(StakeManagerStorage storage $, address validator) private {
        address observer = $.observer;
        if (observer != address(0) && observer != msg.sender) {
            IStakeObserver(observer).onStakeChanged(validator);
        }
    }

    function _getStorage() private pure returns (StakeManagerStorage storage $) {
        // ERC-7201: assembly is the only way to point a storage reference at a namespaced slot.
        // solhint-disable-next-line no-inline-assembly
        assembly {
            $.slot := STAKE_MANAGER_STORAGE_LOCATION
        }
    }
}
