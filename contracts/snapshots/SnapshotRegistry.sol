// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {Versioned} from "../upgrades/Versioned.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IAuditLog} from "../interfaces/IAuditLog.sol";
import {IGuardianCouncil} from "../interfaces/IGuardianCouncil.sol";
import {ISnapshotRegistry} from "../interfaces/ISnapshotRegistry.sol";
import {IStakeManager} from "../interfaces/IStakeManager.sol";
import {IValidatorSet} from "../interfaces/IValidatorSet.sol";

// Time is the point here: the challenge window is minutes to days long; a validator's ~15 s of
// timestamp leeway is negligible against it.
// solhint-disable not-rely-on-time

/// @title SnapshotRegistry
/// @notice Trusted chain snapshots that recovering nodes resync from (see ISnapshotRegistry).
/// @dev Conflicts: the first snapshot attested at a height is remembered; an attestation (by a validator or a
///      guardian) of a different snapshot at that height freezes the height until the guardian role resolves it.
///      A height holds at most MAX_SNAPSHOTS_PER_HEIGHT snapshots, so `resolveConflict` is bounded; a height with
///      a final snapshot takes no new proposals.
///
///      Guardian attestations count per guardian epoch of the council: a change of the guardian set voids them.
///      The GuardianCouncil contract itself may call `attestAsGuardian` (when it executes an AttestSnapshot
///      proposal, which already needed M approvals): its attestation counts as M guardians at once (the count is
///      raised to the threshold, not added to, since those M guardians may also have attested one by one).
///
///      Roles it needs elsewhere: the AuditLog's appender role.
contract SnapshotRegistry is
    ISnapshotRegistry,
    Versioned,
    AccessControlUpgradeable,
    ReentrancyGuardTransient
{
    using SafeERC20 for IERC20;

    /// @notice Resolves frozen heights (held by the GuardianCouncil, a Safe, or the DAO timelock).
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    /// @notice Sets parameters (the DAO timelock).
    bytes32 public constant PARAMETER_ROLE = keccak256("PARAMETER_ROLE");

    /// @notice Audit-log kinds.
    bytes32 public constant SNAPSHOT_PROPOSED = keccak256("SNAPSHOT_PROPOSED");
    bytes32 public constant SNAPSHOT_ATTESTED = keccak256("SNAPSHOT_ATTESTED");
    bytes32 public constant SNAPSHOT_GUARDIAN_ATTESTED = keccak256("SNAPSHOT_GUARDIAN_ATTESTED");
    bytes32 public constant SNAPSHOT_HEIGHT_FROZEN = keccak256("SNAPSHOT_HEIGHT_FROZEN");
    bytes32 public constant SNAPSHOT_CONFLICT_RESOLVED = keccak256("SNAPSHOT_CONFLICT_RESOLVED");
    bytes32 public constant SNAPSHOT_FINALIZED = keccak256("SNAPSHOT_FINALIZED");
    bytes32 public constant SNAPSHOT_PARAMETERS = keccak256("SNAPSHOT_PARAMETERS");

    /// @notice At most this many active validators are summed for the 2/3 threshold (the set's own cap).
    uint256 public constant MAX_ACTIVE_CAP = 128;
    /// @notice At most this many snapshots per height (bounds `resolveConflict`'s loop).
    uint256 public constant MAX_SNAPSHOTS_PER_HEIGHT = 16;
    /// @notice Longest accepted CID, in bytes.
    uint256 public constant MAX_CID_LENGTH = 256;

    uint128 private constant MAX_PROPOSAL_BOND = 1e24;
    uint32 private constant MIN_CHALLENGE_WINDOW = 1 minutes;
    uint32 private constant MAX_CHALLENGE_WINDOW = 7 days;
    uint64 private constant MAX_MAX_SIZE = uint64(1) << 63;

    /// @dev Per-height bookkeeping. Layout: `firstAttested`, `finalId` and `frozen` one slot each; `ids` is a
    ///      dynamic array of at most MAX_SNAPSHOTS_PER_HEIGHT ids.
    struct Height {
        uint256 firstAttested;
        uint256 finalId;
        bool frozen;
        uint256[] ids;
    }

    /// @custom:storage-location erc7201:healnet.storage.SnapshotRegistry
    /// @dev Layout: one slot per dependency address; `params` packs into one slot (uint128 + uint32 + uint64).
    struct SnapshotRegistryStorage {
        IERC20 token;
        address treasury;
        IValidatorSet set;
        IStakeManager stake;
        IGuardianCouncil council;
        IAuditLog audit;
        Parameters params;
        uint256 count;
        uint256 latestFinal;
        uint256 bondsHeld;
        mapping(uint256 snapshotId => Snapshot) snapshots;
        mapping(uint256 snapshotId => uint64) guardianEpochOf;
        mapping(uint256 snapshotId => mapping(address validator => bool)) attested;
        mapping(uint256 snapshotId => mapping(uint64 epoch => mapping(address guardian => bool))) guardianAttested;
        mapping(uint64 height => Height) heights;
    }

    // keccak256(abi.encode(uint256(keccak256("healnet.storage.SnapshotRegistry")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_LOCATION =
        0x82997982cf00eb9204c9ef6e724729e2a13222d33d3acfce49fe6618ae2a7a00;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initializes the proxy.
    /// @param admin Holds DEFAULT_ADMIN_ROLE (grants the guardian and parameter roles).
    /// @param stakeToken The stake token bonds are paid in (the HealToken).
    /// @param treasuryAddress Receives forfeited bonds.
    /// @param set The validator set (who is active).
    /// @param stake The StakeManager (attestation weights).
    /// @param council The GuardianCouncil (guardian attestations).
    /// @param audit The AuditLog.
    /// @param params The initial parameters (within bounds).
    function initialize(
        address admin,
        IERC20 stakeToken,
        address treasuryAddress,
        IValidatorSet set,
        IStakeManager stake,
        IGuardianCouncil council,
        IAuditLog audit,
        Parameters calldata params
    ) external initializer {
        if (admin == address(0)) revert SnapshotRegistryZeroAddress("admin");
        if (address(stakeToken) == address(0)) revert SnapshotRegistryZeroAddress("token");
        if (treasuryAddress == address(0)) revert SnapshotRegistryZeroAddress("treasury");
        if (address(set) == address(0)) revert SnapshotRegistryZeroAddress("set");
        if (address(stake) == address(0)) revert SnapshotRegistryZeroAddress("stake");
        if (address(council) == address(0)) revert SnapshotRegistryZeroAddress("council");
        if (address(audit) == address(0)) revert SnapshotRegistryZeroAddress("audit");
        __AccessControl_init();
        SnapshotRegistryStorage storage $ = _storage();
        $.token = stakeToken;
        $.treasury = treasuryAddress;
        $.set = set;
        $.stake = stake;
        $.council = council;
        $.audit = audit;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setParameters(params);
    }

    /// @inheritdoc ISnapshotRegistry
    /// @dev The audit entry's dataHash is keccak256(abi.encode(height, blockHash, stateRoot, contentHash,
    ///      keccak256(bytes(cid)), sizeBytes)).
    function propose(
        uint64 height,
        bytes32 blockHash,
        bytes32 stateRoot,
        bytes32 contentHash,
        string calldata cid,
        uint64 sizeBytes
    ) external nonReentrant returns (uint256 snapshotId) {
        SnapshotRegistryStorage storage $ = _storage();
        _checkFields($, blockHash, stateRoot, contentHash, cid, sizeBytes);
        Height storage h = $.heights[height];
        if (h.finalId != 0) revert SnapshotRegistryHeightFinal(height, h.finalId);
        if (h.ids.length >= MAX_SNAPSHOTS_PER_HEIGHT) {
            revert SnapshotRegistryHeightFull(height, MAX_SNAPSHOTS_PER_HEIGHT);
        }
        snapshotId = ++$.count;
        Snapshot storage s = $.snapshots[snapshotId];
        s.height = height;
        s.blockHash = blockHash;
        s.stateRoot = stateRoot;
        s.contentHash = contentHash;
        s.cid = cid;
        s.sizeBytes = sizeBytes;
        _bond($, s, h, snapshotId);
        emit SnapshotProposed(snapshotId, height, msg.sender, stateRoot, cid);
        bytes32 dataHash = keccak256(
            abi.encode(height, blockHash, stateRoot, contentHash, keccak256(bytes(cid)), sizeBytes)
        );
        if (s.bond != 0) $.token.safeTransferFrom(msg.sender, address(this), s.bond);
        _audit($, SNAPSHOT_PROPOSED, msg.sender, snapshotId, dataHash);
    }

    /// @inheritdoc ISnapshotRegistry
    function attest(uint256 snapshotId) external nonReentrant {
        SnapshotRegistryStorage storage $ = _storage();
        if (!$.set.isActive(msg.sender)) revert SnapshotRegistryNotActiveValidator(msg.sender);
        Snapshot storage s = _attestable($, snapshotId);
        if ($.attested[snapshotId][msg.sender])
            revert SnapshotRegistryAlreadyAttested(snapshotId, msg.sender);
        uint256 weight = $.stake.bondedOf(msg.sender);
        $.attested[snapshotId][msg.sender] = true;
        uint128 total = s.attestedStake + SafeCast.toUint128(weight);
        s.attestedStake = total;
        emit SnapshotAttested(snapshotId, msg.sender, weight, total);
        uint256 frozeAgainst = _trackConflict($, s.height, snapshotId);
        _auditAttestation(
            $,
            SNAPSHOT_ATTESTED,
            s,
            snapshotId,
            keccak256(abi.encode(weight, total)),
            frozeAgainst
        );
    }

    /// @inheritdoc ISnapshotRegistry
    /// @dev A current guardian counts once per guardian epoch. The council contract itself counts as M.
    function attestAsGuardian(uint256 snapshotId) external nonReentrant {
        SnapshotRegistryStorage storage $ = _storage();
        IGuardianCouncil council = $.council;
        bool isCouncil = msg.sender == address(council);
        if (!isCouncil && !council.isGuardian(msg.sender)) revert SnapshotRegistryNotGuardian(msg.sender);
        Snapshot storage s = _attestable($, snapshotId);
        uint64 epoch = council.guardianEpoch();
        if ($.guardianAttested[snapshotId][epoch][msg.sender]) {
            revert SnapshotRegistryAlreadyAttested(snapshotId, msg.sender);
        }
        $.guardianAttested[snapshotId][epoch][msg.sender] = true;
        // Attestations of an older guardian epoch no longer count.
        uint16 count = $.guardianEpochOf[snapshotId] == epoch ? s.guardianAttestations : 0;
        if (isCouncil) {
            uint16 m = council.threshold();
            if (count < m) count = m;
        } else {
            // A guardian set holds far fewer than 2^16 - 1 guardians (the council caps it), so this cannot wrap.
            ++count;
        }
        $.guardianEpochOf[snapshotId] = epoch;
        s.guardianAttestations = count;
        emit SnapshotGuardianAttested(snapshotId, msg.sender, count);
        uint256 frozeAgainst = _trackConflict($, s.height, snapshotId);
        _auditAttestation(
            $,
            SNAPSHOT_GUARDIAN_ATTESTED,
            s,
            snapshotId,
            keccak256(abi.encode(epoch, count)),
            frozeAgainst
        );
    }

    /// @inheritdoc ISnapshotRegistry
    function finalize(uint256 snapshotId) external nonReentrant {
        SnapshotRegistryStorage storage $ = _storage();
        Snapshot storage s = _existing($, snapshotId);
        SnapshotState state = _stateOf($, snapshotId, s);
        if (
            state == SnapshotState.Final || state == SnapshotState.Rejected || state == SnapshotState.Frozen
        ) {
            revert SnapshotRegistryWrongState(snapshotId, state);
        }
        uint256 windowEndsAt = uint256(s.proposedAt) + $.params.challengeWindow;
        uint256 total = _totalActiveStake($);
        // ceil(2/3 of the active stake), and at least 1 so that an empty set cannot finalize by stake.
        uint256 required = total == 0 ? 1 : (2 * total + 2) / 3;
        bool byStake = s.attestedStake >= required;
        bool byGuardians = _guardiansReached($, snapshotId, s);
        if (block.timestamp < windowEndsAt || !(byStake || byGuardians)) {
            revert SnapshotRegistryNotFinalizable(snapshotId, s.attestedStake, required, windowEndsAt);
        }
        s.finalized = true;
        uint64 height = s.height;
        $.heights[height].finalId = snapshotId;
        uint256 latest = $.latestFinal;
        if (latest == 0 || height > $.snapshots[latest].height) $.latestFinal = snapshotId;
        uint128 bond = s.bond;
        $.bondsHeld -= bond;
        emit SnapshotFinalized(snapshotId, height);
        if (bond != 0) $.token.safeTransfer(s.proposer, bond);
        _audit($, SNAPSHOT_FINALIZED, s.proposer, snapshotId, keccak256(abi.encode(height, s.attestedStake)));
    }

    /// @inheritdoc ISnapshotRegistry
    /// @dev If a snapshot at the height is already final (a conflicting attestation arrived after finality),
    ///      it must be the winner. Loops over at most MAX_SNAPSHOTS_PER_HEIGHT ids.
    function resolveConflict(uint64 height, uint256 winnerId) external onlyRole(GUARDIAN_ROLE) nonReentrant {
        SnapshotRegistryStorage storage $ = _storage();
        Height storage h = $.heights[height];
        Snapshot storage w = $.snapshots[winnerId];
        if (
            !h.frozen ||
            w.proposer == address(0) ||
            w.height != height ||
            w.rejected ||
            (h.finalId != 0 && h.finalId != winnerId)
        ) revert SnapshotRegistryNoConflict(height, winnerId);
        h.frozen = false;
        h.firstAttested = winnerId;
        emit ConflictResolved(height, winnerId);
        uint256[] memory ids = h.ids;
        uint256 forfeited;
        // bounded: at most MAX_SNAPSHOTS_PER_HEIGHT (16) snapshots per height, enforced by propose
        for (uint256 i = 0; i < ids.length; ++i) {
            uint256 id = ids[i];
            Snapshot storage s = $.snapshots[id];
            if (id == winnerId || s.rejected) continue;
            s.rejected = true;
            uint128 bond = s.bond;
            forfeited += bond;
            emit BondForfeited(id, s.proposer, bond);
        }
        $.bondsHeld -= forfeited;
        if (forfeited != 0) $.token.safeTransfer($.treasury, forfeited);
        _audit($, SNAPSHOT_CONFLICT_RESOLVED, w.proposer, winnerId, keccak256(abi.encode(height, ids)));
    }

    /// @inheritdoc ISnapshotRegistry
    function setParameters(Parameters calldata params) external onlyRole(PARAMETER_ROLE) {
        _setParameters(params);
        _audit(_storage(), SNAPSHOT_PARAMETERS, address(this), 0, keccak256(abi.encode(params)));
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc ISnapshotRegistry
    function snapshot(uint256 snapshotId) external view returns (Snapshot memory s) {
        SnapshotRegistryStorage storage $ = _storage();
        s = _existing($, snapshotId);
        if (!_guardianEpochCurrent($, snapshotId)) s.guardianAttestations = 0;
    }

    /// @inheritdoc ISnapshotRegistry
    function stateOf(uint256 snapshotId) external view returns (SnapshotState) {
        SnapshotRegistryStorage storage $ = _storage();
        Snapshot storage s = $.snapshots[snapshotId];
        if (s.proposer == address(0)) return SnapshotState.None;
        return _stateOf($, snapshotId, s);
    }

    /// @inheritdoc ISnapshotRegistry
    function isFinal(uint256 snapshotId) external view returns (bool) {
        return _storage().snapshots[snapshotId].finalized;
    }

    /// @inheritdoc ISnapshotRegistry
    function latestFinal() external view returns (uint256) {
        return _storage().latestFinal;
    }

    /// @inheritdoc ISnapshotRegistry
    function snapshotCount() external view returns (uint256) {
        return _storage().count;
    }

    /// @inheritdoc ISnapshotRegistry
    function isFrozen(uint64 height) external view returns (bool) {
        return _storage().heights[height].frozen;
    }

    /// @inheritdoc ISnapshotRegistry
    function parameters() external view returns (Parameters memory) {
        return _storage().params;
    }

    /// @inheritdoc ISnapshotRegistry
    function snapshotsAt(uint64 height) external view returns (uint256[] memory) {
        return _storage().heights[height].ids;
    }

    /// @inheritdoc ISnapshotRegistry
    function firstAttestedAt(uint64 height) external view returns (uint256) {
        return _storage().heights[height].firstAttested;
    }

    /// @inheritdoc ISnapshotRegistry
    function finalAt(uint64 height) external view returns (uint256) {
        return _storage().heights[height].finalId;
    }

    /// @inheritdoc ISnapshotRegistry
    function hasAttested(uint256 snapshotId, address validator) external view returns (bool) {
        return _storage().attested[snapshotId][validator];
    }

    /// @inheritdoc ISnapshotRegistry
    function hasGuardianAttested(uint256 snapshotId, address guardian) external view returns (bool) {
        SnapshotRegistryStorage storage $ = _storage();
        return $.guardianAttested[snapshotId][$.council.guardianEpoch()][guardian];
    }

    /// @inheritdoc ISnapshotRegistry
    function totalActiveStake() external view returns (uint256) {
        return _totalActiveStake(_storage());
    }

    /// @inheritdoc ISnapshotRegistry
    function bondsHeld() external view returns (uint256) {
        return _storage().bondsHeld;
    }

    /// @inheritdoc ISnapshotRegistry
    function token() external view returns (address) {
        return address(_storage().token);
    }

    /// @inheritdoc ISnapshotRegistry
    function treasury() external view returns (address) {
        return _storage().treasury;
    }

    // ------------------------------------------------------------------ internals

    function _storage() private pure returns (SnapshotRegistryStorage storage $) {
        // ERC-7201: point the struct at its namespaced slot.
        // solhint-disable-next-line no-inline-assembly
        assembly {
            $.slot := STORAGE_LOCATION
        }
    }

    /// @dev Records the proposer, the bond and the time, and files the id under its height.
    function _bond(
        SnapshotRegistryStorage storage $,
        Snapshot storage s,
        Height storage h,
        uint256 snapshotId
    ) private {
        uint128 bond = $.params.proposalBond;
        s.proposer = msg.sender;
        s.bond = bond;
        s.proposedAt = uint64(block.timestamp);
        h.ids.push(snapshotId);
        $.bondsHeld += bond;
    }

    function _existing(
        SnapshotRegistryStorage storage $,
        uint256 snapshotId
    ) private view returns (Snapshot storage s) {
        s = $.snapshots[snapshotId];
        if (s.proposer == address(0)) revert SnapshotRegistryUnknownSnapshot(snapshotId);
    }

    /// @dev A snapshot can be attested unless it is final or rejected (attesting at a frozen height is allowed:
    ///      it informs the guardians, and the height is already frozen).
    function _attestable(
        SnapshotRegistryStorage storage $,
        uint256 snapshotId
    ) private view returns (Snapshot storage s) {
        s = _existing($, snapshotId);
        if (s.finalized) revert SnapshotRegistryWrongState(snapshotId, SnapshotState.Final);
        if (s.rejected) revert SnapshotRegistryWrongState(snapshotId, SnapshotState.Rejected);
    }

    function _stateOf(
        SnapshotRegistryStorage storage $,
        uint256 snapshotId,
        Snapshot storage s
    ) private view returns (SnapshotState) {
        if (s.rejected) return SnapshotState.Rejected;
        if (s.finalized) return SnapshotState.Final;
        if ($.heights[s.height].frozen) return SnapshotState.Frozen;
        if (s.attestedStake != 0 || (s.guardianAttestations != 0 && _guardianEpochCurrent($, snapshotId))) {
            return SnapshotState.Attested;
        }
        return SnapshotState.Proposed;
    }

    function _guardianEpochCurrent(
        SnapshotRegistryStorage storage $,
        uint256 snapshotId
    ) private view returns (bool) {
        return $.guardianEpochOf[snapshotId] == $.council.guardianEpoch();
    }

    function _guardiansReached(
        SnapshotRegistryStorage storage $,
        uint256 snapshotId,
        Snapshot storage s
    ) private view returns (bool) {
        uint16 count = s.guardianAttestations;
        if (count == 0 || !_guardianEpochCurrent($, snapshotId)) return false;
        return count >= $.council.threshold();
    }

    /// @dev Remembers the first snapshot attested at `height`; a different one freezes the height.
    /// @return first The first attested snapshot, when this attestation froze the height (else 0).
    function _trackConflict(
        SnapshotRegistryStorage storage $,
        uint64 height,
        uint256 snapshotId
    ) private returns (uint256 first) {
        Height storage h = $.heights[height];
        uint256 current = h.firstAttested;
        if (current == 0) {
            h.firstAttested = snapshotId;
        } else if (current != snapshotId && !h.frozen) {
            h.frozen = true;
            emit HeightFrozen(height, current, snapshotId);
            return current;
        }
        return 0;
    }

    /// @dev Appends the attestation, then the freeze it caused (if any).
    function _auditAttestation(
        SnapshotRegistryStorage storage $,
        bytes32 kind,
        Snapshot storage s,
        uint256 snapshotId,
        bytes32 dataHash,
        uint256 frozeAgainst
    ) private {
        _audit($, kind, s.proposer, snapshotId, dataHash);
        if (frozeAgainst != 0) {
            _audit(
                $,
                SNAPSHOT_HEIGHT_FROZEN,
                address(0),
                snapshotId,
                keccak256(abi.encode(s.height, frozeAgainst))
            );
        }
    }

    /// @dev Sums the bonded stake of at most MAX_ACTIVE_CAP active validators (the set caps itself at 128).
    function _totalActiveStake(SnapshotRegistryStorage storage $) private view returns (uint256 total) {
        address[] memory active = $.set.activeValidators();
        uint256 n = active.length < MAX_ACTIVE_CAP ? active.length : MAX_ACTIVE_CAP;
        IStakeManager stake = $.stake;
        for (uint256 i = 0; i < n; ++i) {
            total += stake.bondedOf(active[i]);
        }
    }

    function _checkFields(
        SnapshotRegistryStorage storage $,
        bytes32 blockHash,
        bytes32 stateRoot,
        bytes32 contentHash,
        string calldata cid,
        uint64 sizeBytes
    ) private view {
        if (blockHash == bytes32(0)) revert SnapshotRegistryInvalidSnapshot("blockHash");
        if (stateRoot == bytes32(0)) revert SnapshotRegistryInvalidSnapshot("stateRoot");
        if (contentHash == bytes32(0)) revert SnapshotRegistryInvalidSnapshot("contentHash");
        uint256 cidLength = bytes(cid).length;
        if (cidLength == 0 || cidLength > MAX_CID_LENGTH) revert SnapshotRegistryInvalidSnapshot("cid");
        if (sizeBytes == 0 || sizeBytes > $.params.maxSizeBytes)
            revert SnapshotRegistryInvalidSnapshot("sizeBytes");
    }

    function _audit(
        SnapshotRegistryStorage storage $,
        bytes32 kind,
        address subject,
        uint256 refId,
        bytes32 dataHash
    ) private {
        $.audit.append(kind, msg.sender, subject, refId, dataHash);
    }

    function _setParameters(Parameters calldata p) private {
        if (p.proposalBond > MAX_PROPOSAL_BOND) {
            revert SnapshotRegistryInvalidParameter("proposalBond", p.proposalBond, 0, MAX_PROPOSAL_BOND);
        }
        if (p.challengeWindow < MIN_CHALLENGE_WINDOW || p.challengeWindow > MAX_CHALLENGE_WINDOW) {
            revert SnapshotRegistryInvalidParameter(
                "challengeWindow",
                p.challengeWindow,
                MIN_CHALLENGE_WINDOW,
                MAX_CHALLENGE_WINDOW
            );
        }
        if (p.maxSizeBytes == 0 || p.maxSizeBytes > MAX_MAX_SIZE) {
            revert SnapshotRegistryInvalidParameter("maxSizeBytes", p.maxSizeBytes, 1, MAX_MAX_SIZE);
        }
        _storage().params = p;
        emit ParametersUpdated(p);
    }
}
