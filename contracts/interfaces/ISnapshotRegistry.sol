// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ISnapshotRegistry
/// @notice Trusted chain snapshots that recovering nodes resync from. A snapshot `{height, blockHash, stateRoot,
///         cid, sizeBytes}` is proposed with a bond, attested by active validators (weighted by bonded stake) or
///         by guardians, and becomes final once attesters holding ≥ 2/3 of the active stake (or M guardians) have
///         attested and the challenge window has passed. Two different snapshots attested for the same height
///         freeze that height until the guardians pick the valid one; the losing proposers forfeit their bonds.
/// @dev The orchestrator resyncs only from final snapshots and checks the downloaded file against `contentHash`.
interface ISnapshotRegistry {
    /// @notice Where a snapshot stands (Final and Rejected are stored; Proposed/Attested are derived).
    enum SnapshotState {
        None,
        Proposed,
        Attested,
        Final,
        Frozen,
        Rejected
    }

    /// @notice A snapshot.
    /// @param height The chain height it captures.
    /// @param blockHash The block hash at that height.
    /// @param stateRoot The state root at that height.
    /// @param contentHash keccak256 of the snapshot file's bytes (checked by the orchestrator after download).
    /// @param cid Where the file is (an IPFS CID).
    /// @param sizeBytes The file's size.
    /// @param proposer Who proposed it (and bonded).
    /// @param bond The bond, in stake tokens.
    /// @param proposedAt When it was proposed.
    /// @param attestedStake Sum of the bonded stake of the validators who attested (at attestation time).
    /// @param guardianAttestations Number of guardians who attested (in the current guardian epoch).
    /// @param finalized Whether it was finalized.
    /// @param rejected Whether the guardians rejected it in a conflict.
    struct Snapshot {
        uint64 height;
        bytes32 blockHash;
        bytes32 stateRoot;
        bytes32 contentHash;
        string cid;
        uint64 sizeBytes;
        address proposer;
        uint128 bond;
        uint64 proposedAt;
        uint128 attestedStake;
        uint16 guardianAttestations;
        bool finalized;
        bool rejected;
    }

    /// @notice Parameters, set by the parameter role within bounds.
    /// @param proposalBond Stake tokens bonded by a proposer (bounds: 0 .. 10^24; default 100e18).
    /// @param challengeWindow Seconds after the proposal before it can be final (bounds: 1 min .. 7 days;
    ///        default 1 h).
    /// @param maxSizeBytes Largest allowed snapshot (bounds: 1 .. 2^63; default 2^40).
    struct Parameters {
        uint128 proposalBond;
        uint32 challengeWindow;
        uint64 maxSizeBytes;
    }

    /// @notice A snapshot was proposed.
    event SnapshotProposed(
        uint256 indexed snapshotId,
        uint64 indexed height,
        address indexed proposer,
        bytes32 stateRoot,
        string cid
    );
    /// @notice An active validator attested.
    event SnapshotAttested(
        uint256 indexed snapshotId,
        address indexed validator,
        uint256 stake,
        uint256 attestedStake
    );
    /// @notice A guardian attested.
    event SnapshotGuardianAttested(
        uint256 indexed snapshotId,
        address indexed guardian,
        uint256 guardianAttestations
    );
    /// @notice A second, different snapshot was attested at a height: the height is frozen for the guardians.
    event HeightFrozen(uint64 indexed height, uint256 indexed firstId, uint256 indexed secondId);
    /// @notice The guardians resolved a frozen height: `winnerId` stands, every other snapshot there is rejected.
    event ConflictResolved(uint64 indexed height, uint256 indexed winnerId);
    /// @notice A snapshot became final; its bond was returned.
    event SnapshotFinalized(uint256 indexed snapshotId, uint64 indexed height);
    /// @notice A rejected snapshot's bond went to the treasury.
    event BondForfeited(uint256 indexed snapshotId, address indexed proposer, uint256 amount);
    /// @notice Parameters changed.
    event ParametersUpdated(Parameters parameters);

    /// @notice No such snapshot.
    error SnapshotRegistryUnknownSnapshot(uint256 snapshotId);
    /// @notice A field is invalid (zero hash, empty CID, zero size, or above maxSizeBytes).
    error SnapshotRegistryInvalidSnapshot(bytes32 field);
    /// @notice The caller is not an active validator.
    error SnapshotRegistryNotActiveValidator(address account);
    /// @notice The caller is not a guardian.
    error SnapshotRegistryNotGuardian(address account);
    /// @notice The attester already attested this snapshot.
    error SnapshotRegistryAlreadyAttested(uint256 snapshotId, address attester);
    /// @notice The snapshot is not in the state the call needs.
    error SnapshotRegistryWrongState(uint256 snapshotId, SnapshotState state);
    /// @notice The snapshot is not final yet: not enough attestations, or the challenge window is open.
    error SnapshotRegistryNotFinalizable(
        uint256 snapshotId,
        uint256 attestedStake,
        uint256 requiredStake,
        uint256 windowEndsAt
    );
    /// @notice The height is not frozen, or the winner is not at that height.
    error SnapshotRegistryNoConflict(uint64 height, uint256 snapshotId);
    /// @notice A parameter is outside its hard bounds.
    error SnapshotRegistryInvalidParameter(bytes32 name, uint256 value, uint256 min, uint256 max);

    /// @notice Proposes a snapshot, bonding `proposalBond` stake tokens from the caller. Permissionless (the bond
    ///         is the price). Needs an allowance.
    function propose(
        uint64 height,
        bytes32 blockHash,
        bytes32 stateRoot,
        bytes32 contentHash,
        string calldata cid,
        uint64 sizeBytes
    ) external returns (uint256 snapshotId);

    /// @notice Attests a snapshot as an active validator (the caller's bonded stake is its weight). If another
    ///         snapshot at the same height was already attested, the height freezes.
    function attest(uint256 snapshotId) external;

    /// @notice Attests a snapshot as a guardian (a current guardian of the council).
    function attestAsGuardian(uint256 snapshotId) external;

    /// @notice Finalizes a snapshot once ≥ 2/3 of the active stake (summed over the active set, at most
    ///         MAX_ACTIVE_CAP validators) or M guardians have attested and the challenge window has passed, and its
    ///         height is not frozen. Returns the bond. Permissionless.
    function finalize(uint256 snapshotId) external;

    /// @notice Resolves a frozen height in favour of `winnerId`; every other snapshot at that height is rejected
    ///         and its bond forfeited to the treasury. Only the guardian role.
    function resolveConflict(uint64 height, uint256 winnerId) external;

    /// @notice Sets the parameters. Only the parameter role.
    function setParameters(Parameters calldata parameters) external;

    /// @notice The snapshot.
    function snapshot(uint256 snapshotId) external view returns (Snapshot memory);

    /// @notice The snapshot's state.
    function stateOf(uint256 snapshotId) external view returns (SnapshotState);

    /// @notice Whether the snapshot is final.
    function isFinal(uint256 snapshotId) external view returns (bool);

    /// @notice The final snapshot with the greatest height (0 if none).
    function latestFinal() external view returns (uint256 snapshotId);

    /// @notice Number of snapshots proposed (ids from 1).
    function snapshotCount() external view returns (uint256);

    /// @notice Whether the height is frozen.
    function isFrozen(uint64 height) external view returns (bool);

    /// @notice The current parameters.
    function parameters() external view returns (Parameters memory);
}
