// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IStakeManager
/// @notice Custody and accounting of validators' bonded stake (an ERC20, the HealToken): bond, unbond after
///         `unbondingPeriod`, slash, jail, tombstone, and pull-payment of fault-reporting rewards.
/// @dev Conservation holds after every call: totalDeposited == totalBonded + totalUnbonding + totalWithdrawn +
///      totalSlashed, and the token balance of this contract equals totalBonded + totalUnbonding +
///      totalRewardsOwed. Accounting never reads `balanceOf(this)`, so tokens sent to it directly are inert.
interface IStakeManager {
    /// @notice A pending unbonding request. It stays slashable for faults committed before `requestedAt`.
    struct UnbondingRequest {
        uint128 amount;
        uint64 requestedAt;
        uint64 releaseAt;
    }

    /// @notice Running totals, for the conservation invariant.
    struct Totals {
        uint256 deposited;
        uint256 bonded;
        uint256 unbonding;
        uint256 withdrawn;
        uint256 slashed;
        uint256 rewardsOwed;
    }

    /// @notice Stake was bonded.
    event Bonded(address indexed validator, uint256 amount, uint256 bonded);
    /// @notice An unbonding request was opened.
    event UnbondRequested(address indexed validator, uint256 amount, uint256 releaseAt);
    /// @notice Matured unbonding requests were paid out.
    event Withdrawn(address indexed validator, uint256 amount);
    /// @notice Stake was slashed: `reward` credited to `rewardRecipient`, `toTreasury` sent to the treasury.
    event Slashed(
        address indexed validator,
        uint256 indexed incidentId,
        address indexed rewardRecipient,
        uint256 amount,
        uint256 reward,
        uint256 toTreasury
    );
    /// @notice The validator was jailed until `until` (unix seconds).
    event Jailed(address indexed validator, uint256 until);
    /// @notice The validator was released from jail (by itself, or by the recovery role).
    event Unjailed(address indexed validator, address indexed by);
    /// @notice The validator was tombstoned (double-signing): it can never be unjailed.
    event Tombstoned(address indexed validator);
    /// @notice A reward was claimed.
    event RewardClaimed(address indexed recipient, address indexed to, uint256 amount);
    /// @notice Parameters changed.
    event ParametersUpdated(uint256 minStake, uint256 unbondingPeriod, address treasury);
    /// @notice The observer (the validator set) was set.
    event StakeObserverSet(address indexed observer);

    /// @notice An amount argument was zero.
    error StakeManagerZeroAmount();
    /// @notice An address argument was zero.
    error StakeManagerZeroAddress(bytes32 what);
    /// @notice Not enough bonded stake for the request.
    error StakeManagerInsufficientBonded(address validator, uint256 requested, uint256 bonded);
    /// @notice The validator already has the maximum number of pending unbonding requests.
    error StakeManagerTooManyUnbondingRequests(address validator, uint256 max);
    /// @notice No unbonding request has matured.
    error StakeManagerNothingToWithdraw(address validator);
    /// @notice The validator is tombstoned.
    error StakeManagerTombstoned(address validator);
    /// @notice The validator is still jailed.
    error StakeManagerStillJailed(address validator, uint256 until);
    /// @notice The validator is not jailed.
    error StakeManagerNotJailed(address validator);
    /// @notice The validator's bonded stake is below the minimum.
    error StakeManagerBelowMinStake(address validator, uint256 bonded, uint256 minStake);
    /// @notice A basis-point argument was above 10,000.
    error StakeManagerInvalidBps(uint256 bps);
    /// @notice A parameter is outside its hard bounds.
    error StakeManagerInvalidParameter(bytes32 name, uint256 value, uint256 min, uint256 max);
    /// @notice The caller has no reward to claim.
    error StakeManagerNoReward(address recipient);
    /// @notice The observer can be set only once.
    error StakeManagerObserverAlreadySet(address observer);
    /// @notice The amount does not fit the 128-bit accounting.
    error StakeManagerAmountTooLarge(uint256 amount);

    /// @notice Bonds `amount` of the stake token from the caller, who is the validator. Needs an allowance.
    ///         Permissionless: anyone may call it; it acts on the caller's own stake only.
    /// @dev Notifies the observer (the validator set), which re-ranks the caller's candidacy.
    function bond(uint256 amount) external;

    /// @notice Moves `amount` of the caller's bonded stake to a new unbonding request, paid out by
    ///         `withdraw` after `unbondingPeriod`. At most `MAX_UNBONDING_REQUESTS` may be pending.
    ///         Permissionless: acts on the caller's own stake.
    /// @dev Notifies the observer through `IStakeObserver.onUnbondRequested` (not `onStakeChanged`), so it can
    ///      tell this voluntary change from a slash or a jail: it may refuse (revert) when the caller is an active
    ///      validator that would drop below `minStake` (it must exit the active set first). `slash` and `jail`
    ///      notify through `onStakeChanged`, which the validator set never refuses.
    function requestUnbond(uint256 amount) external;

    /// @notice Pays the caller every matured unbonding request. Permissionless: acts on the caller's own stake.
    /// @return amount The amount paid.
    function withdraw() external returns (uint256 amount);

    /// @notice Slashes `bps` of the validator's slashable stake: its bonded stake and its unbonding requests
    ///         opened after `faultAt`. Only the slasher role (the validator set, the recovery manager).
    /// @param validator The validator.
    /// @param bps Basis points to slash (≤ 10,000).
    /// @param faultAt When the fault was committed; unbonding requested at or before it is not slashable.
    /// @param rewardRecipient Credited with the reward (pulled with `claimReward`); no reward when zero.
    /// @param rewardBps Share of the slashed amount for the recipient (≤ 10,000).
    /// @param rewardCap Maximum reward, in token units.
    /// @param incidentId The incident, for the log.
    /// @return slashed The total slashed.
    /// @return reward The reward credited.
    function slash(
        address validator,
        uint256 bps,
        uint256 faultAt,
        address rewardRecipient,
        uint256 rewardBps,
        uint256 rewardCap,
        uint256 incidentId
    ) external returns (uint256 slashed, uint256 reward);

    /// @notice Jails the validator until `until` (never shortens an existing jail). Only the jailer role.
    function jail(address validator, uint64 until) external;

    /// @notice Releases the caller from jail once its jail time has passed, if it is not tombstoned and its
    ///         bonded stake is still at least `minStake`. Notifies the observer. Permissionless: acts on the
    ///         caller only.
    function unjail() external;

    /// @notice Releases a validator from jail at once (a forgiven wrongful slash). Only the jailer role.
    function release(address validator) external;

    /// @notice Tombstones the validator (equivocation): jailed forever. Only the jailer role.
    function tombstone(address validator) external;

    /// @notice Pays the caller's accumulated rewards to `to`. Permissionless: acts on the caller's own rewards.
    /// @return amount The amount paid.
    function claimReward(address to) external returns (uint256 amount);

    /// @notice Sets the parameters. Only the parameter role (the DAO timelock).
    /// @param minStake Minimum bonded stake to be a candidate (bounds: 1 token .. 10^9 tokens).
    /// @param unbondingPeriod Seconds before unbonded stake can be withdrawn (bounds: 7 days .. 90 days).
    /// @param treasury Receives slashed stake net of rewards.
    function setParameters(uint256 minStake, uint64 unbondingPeriod, address treasury) external;

    /// @notice Sets the observer notified of stake changes (the validator set). Admin, once.
    function setStakeObserver(address observer) external;

    /// @notice The stake token.
    function stakeToken() external view returns (address);
    /// @notice The observer notified of stake and jail changes (zero until `setStakeObserver`).
    function stakeObserver() external view returns (address);
    /// @notice The validator's bonded stake.
    function bondedOf(address validator) external view returns (uint256);
    /// @notice The validator's stake in pending unbonding requests.
    function unbondingOf(address validator) external view returns (uint256);
    /// @notice The validator's pending unbonding requests.
    function unbondingRequestsOf(address validator) external view returns (UnbondingRequest[] memory);
    /// @notice Whether the validator is jailed now (tombstoned validators are always jailed).
    function isJailed(address validator) external view returns (bool);
    /// @notice When the validator's jail ends (type(uint64).max when tombstoned).
    function jailedUntil(address validator) external view returns (uint64);
    /// @notice Whether the validator is tombstoned.
    function isTombstoned(address validator) external view returns (bool);
    /// @notice Rewards owed to `recipient`.
    function rewardOf(address recipient) external view returns (uint256);
    /// @notice Running totals (see the conservation invariant above).
    function totals() external view returns (Totals memory);
    /// @notice Minimum bonded stake of a candidate.
    function minStake() external view returns (uint256);
    /// @notice Unbonding period in seconds.
    function unbondingPeriod() external view returns (uint64);
    /// @notice Receiver of slashed stake.
    function treasury() external view returns (address);
}
