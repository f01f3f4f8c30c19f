// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title INodeHealth
/// @notice Heartbeats with health metrics from validators' signer keys, and the liveness and uptime derived
///         from them. Liveness is never stored: it is computed from the last heartbeat's timestamp, the way
///         OpenZeppelin's TimelockController derives an operation's state from one timestamp.
/// @dev Each signer's record is one storage slot (see `HeartbeatRecordLib` for the bit layout); the common
///      heartbeat path writes exactly that slot. Records are keyed by signer, so `heartbeat` needs no lookup:
///      a rotation moves the record to the new signer atomically.
interface INodeHealth {
    /// @notice Derived liveness of a validator.
    /// @dev Unknown: no signer registered, or no heartbeat yet.
    ///      Live: last heartbeat at most `heartbeatInterval` ago.
    ///      Late: last heartbeat more than `heartbeatInterval` but at most `heartbeatInterval + gracePeriod` ago.
    ///      Overdue: last heartbeat more than `heartbeatInterval + gracePeriod` ago.
    ///      Stalled: not Overdue, but the last `stallReports` reports each lagged the best height by more than
    ///      `maxHeightLag` (the node is alive but not keeping up). Overdue takes precedence over Stalled.
    enum Liveness {
        Unknown,
        Live,
        Late,
        Overdue,
        Stalled
    }

    /// @notice What a sidecar reports about its node.
    /// @param blockHeight The node's head block number (must fit in 40 bits).
    /// @param blockHash The hash of block `blockHeight`, as the node sees it.
    /// @param peerCount Connected peers (stored saturated at 255).
    /// @param latencyMs Latency of the sidecar's RPC call to the node, in ms (stored saturated at 65,535).
    /// @param diskUsedBps Disk use in basis points of capacity (0..10,000).
    /// @param clientVersionHash keccak256 of the client's version string (the first 4 bytes are stored).
    struct HealthReport {
        uint64 blockHeight;
        bytes32 blockHash;
        uint16 peerCount;
        uint32 latencyMs;
        uint16 diskUsedBps;
        bytes32 clientVersionHash;
    }

    /// @notice An EIP-712 heartbeat signed off-chain by a validator's signer and relayed by anyone.
    /// @dev Typed data: `Heartbeat(address validator,uint64 signerEpoch,uint64 timestamp,uint64 blockHeight,
    ///      bytes32 blockHash,uint16 peerCount,uint32 latencyMs,uint16 diskUsedBps,bytes32 clientVersionHash)`
    ///      under the domain `("healnet NodeHealth", "1", chainid, address(this))`. The signature is an
    ///      EIP-2098 compact signature (`r`, `vs`); high-s signatures are rejected.
    /// @param validator The validator the heartbeat is for. Signed, but not looked up when the item is accepted:
    ///        a signer belongs to one validator forever (`validatorOfSigner`), and an item only ever updates
    ///        its own signer's record, so an item naming another validator is recorded for the signer's own
    ///        validator. It names the item in `HeartbeatSkipped`, and it is the validator whose signer is
    ///        checked when the recovered key has no record (UnknownSigner / BadSignature).
    /// @param signerEpoch The validator's signer epoch when signed; a fenced (older) epoch is rejected.
    /// @param timestamp When it was signed (unix seconds); must be newer than the validator's last
    ///        heartbeat, not in the future and not older than `maxHeartbeatAge`: this makes each heartbeat
    ///        usable once (replay protection without a nonce).
    struct SignedHeartbeat {
        address validator;
        uint64 signerEpoch;
        uint64 timestamp;
        HealthReport report;
        bytes32 r;
        bytes32 vs;
    }

    /// @notice A signer's record, unpacked.
    /// @param timestamp The last heartbeat's timestamp (0 if none yet).
    /// @param blockHeight Height from the last report.
    /// @param peerCount Peers from the last report (saturated at 255).
    /// @param latencyMs Latency from the last report (saturated at 65,535).
    /// @param diskUsedBps Disk use from the last report.
    /// @param clientVersion First 4 bytes of the last report's client version hash.
    /// @param stallCount Consecutive reports that lagged the best height by more than `maxHeightLag`.
    /// @param tracksBestHeight Whether this signer's reports raise `bestHeight` (set for active validators).
    /// @param uptimeBitmap Bit i is set when a heartbeat was seen in epoch `epochOf(timestamp) - i`.
    struct HeartbeatRecord {
        uint64 timestamp;
        uint64 blockHeight;
        uint16 peerCount;
        uint32 latencyMs;
        uint16 diskUsedBps;
        bytes4 clientVersion;
        uint8 stallCount;
        bool tracksBestHeight;
        uint256 uptimeBitmap;
    }

    /// @notice Liveness and uptime parameters, set by the parameter role within hard bounds.
    /// @param heartbeatInterval Seconds between expected heartbeats (bounds: 5 s .. 1 h; default 30 s).
    /// @param gracePeriod Extra seconds before a validator is Overdue (bounds: 0 .. 1 h; default 30 s).
    /// @param maxHeartbeatAge Oldest acceptable signed heartbeat, in seconds (bounds: 5 s .. 1 h; default 60 s).
    /// @param uptimeWindow Epochs over which uptime is computed (bounds: 10 .. 100; default 100).
    /// @param maxHeightLag Blocks behind the best height before a report counts as lagging (1 .. 1e6; default 50).
    /// @param stallReports Consecutive lagging reports that make a node Stalled (1 .. 255; default 3).
    struct Parameters {
        uint32 heartbeatInterval;
        uint32 gracePeriod;
        uint32 maxHeartbeatAge;
        uint16 uptimeWindow;
        uint32 maxHeightLag;
        uint8 stallReports;
    }

    /// @notice Why a relayed heartbeat was skipped.
    enum SkipReason {
        BadSignature,
        UnknownSigner,
        FencedEpoch,
        Stale,
        Replayed,
        FutureDated,
        InvalidReport
    }

    /// @notice A heartbeat was sent directly (`heartbeat`) and recorded.
    /// @dev Carries the signer only: looking up its validator would cost a cold storage read on the hot path and
    ///      break the 40,000-gas heartbeat budget. The validator is `validatorOfSigner(signer)`, or follows from
    ///      the `SignerChanged` events. Relayed heartbeats emit no per-item event (the batch budget has no room
    ///      for a log per item): the accepted items of a batch are the indices not named in its `HeartbeatSkipped`
    ///      events, and `HeartbeatBatchProcessed` carries the totals.
    /// @param signer The key that sent it.
    /// @param blockHeight The reported height.
    /// @param blockHash The reported block hash (not stored; kept in the log for appeals and audits).
    event HeartbeatRecorded(address indexed signer, uint64 blockHeight, bytes32 blockHash);

    /// @notice A relayed batch was processed; skipped items are counted per reason.
    /// @param relayer Who submitted the batch.
    /// @param accepted Items recorded.
    /// @param skipped Items skipped (the sum of the per-reason counts).
    /// @param skippedByReason Count per `SkipReason`, indexed by the enum value.
    event HeartbeatBatchProcessed(
        address indexed relayer,
        uint256 accepted,
        uint256 skipped,
        uint256[7] skippedByReason
    );

    /// @notice A relayed heartbeat was skipped.
    /// @param index Its position in the batch.
    /// @param validator The validator it claimed to be for.
    /// @param reason Why it was skipped.
    event HeartbeatSkipped(uint256 indexed index, address indexed validator, SkipReason reason);

    /// @notice A validator's signer was registered, rotated or fenced.
    /// @param validator The validator.
    /// @param previousSigner The signer before (zero on first registration).
    /// @param newSigner The signer now.
    /// @param signerEpoch The validator's signer epoch now.
    event SignerChanged(
        address indexed validator,
        address indexed previousSigner,
        address indexed newSigner,
        uint64 signerEpoch
    );

    /// @notice Whether a validator's reports raise the best height changed (it joined or left the active set).
    event BestHeightTrackingChanged(address indexed validator, bool tracked);

    /// @notice The best height reference moved up.
    event BestHeightRaised(uint64 bestHeight, address indexed validator);

    /// @notice Parameters changed.
    event ParametersUpdated(Parameters parameters);

    /// @notice The caller is not the current signer of any validator.
    error NodeHealthUnknownSigner(address signer);
    /// @notice The validator has no registered signer.
    error NodeHealthUnknownValidator(address validator);
    /// @notice The signer is zero, or has been used before by any validator (signers are never reused).
    error NodeHealthSignerUnavailable(address signer);
    /// @notice The validator already has a signer.
    error NodeHealthAlreadyRegistered(address validator);
    /// @notice A report field is out of range.
    error NodeHealthInvalidReport(bytes32 field, uint256 value);
    /// @notice A heartbeat was sent twice in the same second.
    error NodeHealthDuplicateHeartbeat(address signer, uint64 timestamp);
    /// @notice A parameter is outside its hard bounds.
    error NodeHealthInvalidParameter(bytes32 name, uint256 value, uint256 min, uint256 max);
    /// @notice An address argument was zero.
    error NodeHealthZeroAddress(bytes32 what);

    /// @notice Records a heartbeat from the caller, who must be a validator's current signer.
    /// @dev Permissionless in the sense that any registered signer may call it, for its own validator only.
    ///      Writes one storage slot (two when the report raises `bestHeight`). Pays nothing.
    /// @param report The node's health report.
    function heartbeat(HealthReport calldata report) external;

    /// @notice Records EIP-712 heartbeats signed by validators' signers. Permissionless: anyone may call it to
    ///         relay them (the signatures are the authority).
    /// @dev Items that are badly signed, from an unknown or fenced signer, stale, replayed, future-dated or
    ///      out of range are skipped, reported in `HeartbeatSkipped`, counted in `HeartbeatBatchProcessed`,
    ///      and never make the other items fail. The batch is bounded by its calldata. Pays nothing. An accepted
    ///      item is credited to the validator of the key that signed it (see `SignedHeartbeat.validator`).
    /// @param items The signed heartbeats.
    /// @return accepted How many were recorded.
    function heartbeatBatch(SignedHeartbeat[] calldata items) external returns (uint256 accepted);

    /// @notice Registers a validator's first signer. Only the registrar role (the validator set).
    /// @param validator The validator (its staking address).
    /// @param signer Its heartbeat and consensus key: non-zero and never used before.
    function registerSigner(address validator, address signer) external;

    /// @notice Moves a validator's heartbeat authority to a new signer, atomically. Only the rotator role
    ///         (the recovery manager). The record (and uptime history) moves with it; the epoch is bumped.
    /// @param validator The validator.
    /// @param newSigner Non-zero and never used before.
    function rotateSigner(address validator, address newSigner) external;

    /// @notice Bumps the validator's signer epoch, so heartbeats signed before are rejected. Only the registrar.
    /// @param validator The validator.
    function fence(address validator) external;

    /// @notice Sets whether the validator's reports raise `bestHeight` (true while it is active). Only the registrar.
    /// @param validator The validator.
    /// @param tracked Whether it counts.
    function setBestHeightTracking(address validator, bool tracked) external;

    /// @notice Sets the parameters. Only the parameter role (the DAO timelock).
    /// @param parameters The new parameters, each within its hard bounds.
    function setParameters(Parameters calldata parameters) external;

    /// @notice The validator's liveness now.
    function livenessOf(address validator) external view returns (Liveness);

    /// @notice The validator's last heartbeat timestamp (0 if none).
    function lastHeartbeatAt(address validator) external view returns (uint64);

    /// @notice The validator's record (of its current signer).
    function recordOf(address validator) external view returns (HeartbeatRecord memory);

    /// @notice Share of the last `uptimeWindow` completed epochs in which the validator heartbeated, in bps.
    /// @dev A new signer starts with a full window (benefit of the doubt), as Cosmos starts a missed-blocks
    ///      counter at 0.
    function uptimeBps(address validator) external view returns (uint256);

    /// @notice How many of `validators` have not heartbeated since `cutoff` (unix seconds).
    /// @dev For the correlated-outage check; the caller bounds the list (the active set is capped).
    function countSilentSince(
        address[] calldata validators,
        uint256 cutoff
    ) external view returns (uint256 count);

    /// @notice The validator's current signer and signer epoch.
    function signerOf(address validator) external view returns (address signer, uint64 signerEpoch);

    /// @notice The validator a signer belongs or belonged to (zero if never registered). Signers are never reused.
    function validatorOfSigner(address signer) external view returns (address);

    /// @notice The highest height reported by an active validator, raised in steps of at most `maxHeightLag / 4`.
    function bestHeight() external view returns (uint64);

    /// @notice The epoch a timestamp falls in (epochs have a fixed length set at initialization).
    function epochOf(uint256 timestamp) external view returns (uint256);

    /// @notice Seconds per uptime epoch (fixed at initialization).
    function epochLength() external view returns (uint32);

    /// @notice The current parameters.
    function parameters() external view returns (Parameters memory);

    /// @notice The EIP-712 digest a signer signs for `item` (ignores `r` and `vs`).
    function heartbeatDigest(SignedHeartbeat calldata item) external view returns (bytes32);

    /// @notice The signer that signed `item`, or zero if the signature is malformed or high-s.
    function recoverHeartbeatSigner(SignedHeartbeat calldata item) external view returns (address);
}
