// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {INodeHealth} from "./INodeHealth.sol";

/// @title ISentinelRegistry
/// @notice The pool of highly available read-only nodes (bootnodes, sentinels) that recovering validator nodes
///         resync from. Each sentinel has an id (its NodeHealth key), a heartbeat signer, an operator and an
///         endpoint; it heartbeats through NodeHealth exactly like a validator (the same sidecar), but it holds
///         no stake and is never slashed or jailed. The registry keeps a *served list*: the sentinels that were
///         live at their last check. Anyone may check a sentinel: a silent one is dropped from the served list, a
///         dropped one that heartbeats again is restored. When fewer than `minSentinels` remain served, the pool
///         is degraded and the guardians are told (`SentinelPoolDegraded` plus an audit entry).
/// @dev Who may add a sentinel: the curator role, held by the DAO timelock (or the deployer standing in for it,
///      like PARAMETER_ROLE). Adding a sentinel is a trust decision about where recovering nodes download state,
///      so it goes through governance's delay; it is not urgent (the pool is provisioned ahead of need), and a
///      sentinel that fails needs no decision at all: the permissionless check drops it. A sentinel cannot poison
///      a recovering node even if its operator turns malicious: the orchestrator loads only a *final* snapshot of
///      the SnapshotRegistry and the driver refuses a file whose hash differs from the registry's (at worst a
///      sentinel withholds or serves garbage, which fails the resync and escalates the ladder). The curator
///      removes such a sentinel.
///
///      Bounds: at most `maxSentinels` sentinels are registered, and `maxSentinels` is at most MAX_SENTINELS
///      (64): every loop of the registry (the views, `checkAll`, removal) is bounded by that hard cap.
///
///      Liveness: a sentinel is *live* when NodeHealth says `Live` or `Late` (heartbeated within
///      `heartbeatInterval + gracePeriod`); `Unknown` (no heartbeat yet), `Overdue` and `Stalled` (alive but
///      behind the best height: a recovering node must not sync from it) are not live. A newly added sentinel is
///      not served until a check finds it live (its first heartbeat plus one `checkSentinel`).
///
///      Degradation: the pool starts degraded (empty) without an event; the first time `served >= minSentinels`
///      after a change it emits `SentinelPoolRecovered`; when it falls back under, `SentinelPoolDegraded` (once
///      per episode). Both are appended to the AuditLog.
///
///      Roles it needs elsewhere: NodeHealth's REGISTRAR_ROLE (to register a sentinel's signer and to fence a
///      removed one) and the AuditLog's APPENDER_ROLE.
interface ISentinelRegistry {
    /// @notice A registered sentinel.
    /// @param signer Its heartbeat key in NodeHealth (NodeHealth's validator key is the sentinel id).
    /// @param operator Who runs it (may update its endpoint).
    /// @param addedAt When it was added (unix seconds).
    /// @param checkedAt When a check last changed its served status (0: never): it was live then if `served`.
    /// @param served Whether it is on the served list (live at its last check).
    /// @param endpoint Where recovering nodes reach it (e.g. "http://10.0.0.7:8545" or an enode URL).
    struct Sentinel {
        address signer;
        address operator;
        uint64 addedAt;
        uint64 checkedAt;
        bool served;
        string endpoint;
    }

    /// @notice Pool parameters, set by the parameter role within hard bounds.
    /// @param maxSentinels Most sentinels registered at once (1 .. MAX_SENTINELS (64); default 16; not below the
    ///        current count).
    /// @param minSentinels Fewest served sentinels before the pool is degraded (1 .. maxSentinels; default 2).
    struct Parameters {
        uint16 maxSentinels;
        uint16 minSentinels;
    }

    /// @notice A sentinel was registered (its signer registered in NodeHealth). It is served after a check.
    /// @param sentinel Its id (its NodeHealth key).
    /// @param operator Who runs it.
    /// @param signer Its heartbeat key.
    /// @param endpoint Where recovering nodes reach it.
    event SentinelAdded(address indexed sentinel, address indexed operator, address signer, string endpoint);

    /// @notice A sentinel was removed by the curator (its NodeHealth signer is fenced; the id cannot come back).
    /// @param sentinel Its id.
    /// @param by The curator.
    event SentinelRemoved(address indexed sentinel, address indexed by);

    /// @notice A sentinel's endpoint changed.
    /// @param sentinel Its id.
    /// @param endpoint The new endpoint.
    /// @param by The operator or the curator.
    event SentinelEndpointUpdated(address indexed sentinel, string endpoint, address indexed by);

    /// @notice A check found a served sentinel not live and dropped it from the served list.
    /// @param sentinel Its id.
    /// @param liveness What NodeHealth said.
    /// @param caller Who checked.
    event SentinelDropped(address indexed sentinel, INodeHealth.Liveness liveness, address indexed caller);

    /// @notice A check found an unserved sentinel live and put it on the served list.
    /// @param sentinel Its id.
    /// @param caller Who checked.
    event SentinelRestored(address indexed sentinel, address indexed caller);

    /// @notice Fewer than `minSentinels` sentinels are served: the guardians must add or repair sentinels.
    /// @param served Sentinels served now.
    /// @param minSentinels The minimum.
    event SentinelPoolDegraded(uint256 served, uint256 minSentinels);

    /// @notice At least `minSentinels` sentinels are served again.
    /// @param served Sentinels served now.
    /// @param minSentinels The minimum.
    event SentinelPoolRecovered(uint256 served, uint256 minSentinels);

    /// @notice Parameters changed.
    /// @param parameters The new parameters.
    event ParametersUpdated(Parameters parameters);

    /// @notice An address argument was zero.
    error SentinelRegistryZeroAddress(bytes32 what);
    /// @notice The address is not a registered sentinel.
    error SentinelRegistryUnknownSentinel(address sentinel);
    /// @notice The id is already known to NodeHealth (a validator, or a sentinel now or before).
    error SentinelRegistryIdTaken(address sentinel);
    /// @notice The signer has been used before in NodeHealth (signers are never reused).
    error SentinelRegistrySignerTaken(address signer);
    /// @notice `maxSentinels` sentinels are registered already.
    error SentinelRegistryFull(uint256 maxSentinels);
    /// @notice The endpoint is empty or longer than MAX_ENDPOINT_LENGTH bytes.
    error SentinelRegistryInvalidEndpoint(uint256 length, uint256 maxLength);
    /// @notice A parameter is outside its bounds.
    error SentinelRegistryInvalidParameter(bytes32 name, uint256 value, uint256 min, uint256 max);
    /// @notice The caller is neither the sentinel's operator nor the curator.
    error SentinelRegistryNotOperator(address caller, address sentinel);

    /// @notice Registers a sentinel and its signer in NodeHealth. Only the curator role (the DAO timelock).
    /// @dev Not served until a check finds it live. Reverts when the registry is full, the id or the signer is
    ///      known to NodeHealth, an address is zero or the endpoint is empty or too long.
    /// @param sentinel Its id: its NodeHealth key (never a validator's, never reused).
    /// @param signer Its heartbeat key (never used before in NodeHealth).
    /// @param operator Who runs it (may update the endpoint).
    /// @param endpoint Where recovering nodes reach it (1 .. MAX_ENDPOINT_LENGTH bytes).
    function addSentinel(
        address sentinel,
        address signer,
        address operator,
        string calldata endpoint
    ) external;

    /// @notice Removes a sentinel and fences its NodeHealth signer. Only the curator role.
    /// @param sentinel A registered sentinel.
    function removeSentinel(address sentinel) external;

    /// @notice Changes a sentinel's endpoint. Only its operator or the curator role.
    /// @param sentinel A registered sentinel.
    /// @param endpoint The new endpoint (1 .. MAX_ENDPOINT_LENGTH bytes).
    function setEndpoint(address sentinel, string calldata endpoint) external;

    /// @notice Checks one sentinel's liveness in NodeHealth: drops it from the served list if it is served and not
    ///         live, restores it if it is not served and live, and re-evaluates the pool's minimum. Permissionless:
    ///         anyone (a keeper, the orchestrator, a user) may call it at any time. Never reverts for a registered
    ///         sentinel; a call that changes nothing writes nothing. Pays no reward.
    /// @param sentinel A registered sentinel.
    /// @return served Whether it is served after the check.
    function checkSentinel(address sentinel) external returns (bool served);

    /// @notice `checkSentinel` for every registered sentinel (at most MAX_SENTINELS). Permissionless; pays nothing.
    /// @return dropped How many were dropped.
    /// @return restored How many were restored.
    function checkAll() external returns (uint256 dropped, uint256 restored);

    /// @notice Sets the parameters. Only the parameter role (the DAO timelock). Re-evaluates the minimum.
    /// @param parameters Within bounds; `maxSentinels` not below the current count.
    function setParameters(Parameters calldata parameters) external;

    /// @notice The served list: sentinels that were live at their last check (in registration order, modulo
    ///         removals). May include one that went silent since: use `liveSentinels` to pick a source.
    function servedSentinels() external view returns (address[] memory);

    /// @notice What a recovering node may sync from: the served sentinels that are also live now in NodeHealth.
    /// @return ids The sentinels.
    /// @return endpoints Their endpoints, in the same order.
    function liveSentinels() external view returns (address[] memory ids, string[] memory endpoints);

    /// @notice Every registered sentinel (served or not).
    function sentinels() external view returns (address[] memory);

    /// @notice A registered sentinel's record (reverts for an unknown one).
    function sentinel(address sentinel) external view returns (Sentinel memory);

    /// @notice Whether `sentinel` is registered.
    function isSentinel(address sentinel) external view returns (bool);

    /// @notice Whether `sentinel` is live now in NodeHealth (Live or Late), whatever its served status.
    function isLive(address sentinel) external view returns (bool);

    /// @notice Number of registered sentinels.
    function sentinelCount() external view returns (uint256);

    /// @notice Number of served sentinels.
    function servedCount() external view returns (uint256);

    /// @notice Whether fewer than `minSentinels` are served (as of the last change).
    function degraded() external view returns (bool);

    /// @notice The current parameters.
    function parameters() external view returns (Parameters memory);

    /// @notice The NodeHealth contract the sentinels heartbeat to.
    function nodeHealth() external view returns (address);

    /// @notice The AuditLog the registry appends to.
    function auditLog() external view returns (address);
}
