// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {Versioned} from "../upgrades/Versioned.sol";
import {EIP712Upgradeable} from "@openzeppelin/contracts-upgradeable/utils/cryptography/EIP712Upgradeable.sol";

import {INodeHealth} from "../interfaces/INodeHealth.sol";
import {HeartbeatRecordLib} from "../libraries/HeartbeatRecordLib.sol";

// Liveness is measured in seconds; a validator's ~15 s of timestamp leeway is well inside the grace period.
// solhint-disable not-rely-on-time

/// @title NodeHealth
/// @notice Heartbeats with health metrics from validators' signer keys, sent directly or relayed in EIP-712
///         batches, and the liveness and uptime derived from them.
/// @dev Gas design. A signer's record is one word keyed by the signer (`HeartbeatRecordLib`), so `heartbeat`
///      reads and writes exactly that word. Everything a heartbeat needs besides it (genesis, epoch length,
///      maxHeightLag, stallReports, maxHeartbeatAge, bestHeight) is packed in one more word, `hot`, so a
///      heartbeat reads two cold slots and writes one. The record also carries the validator's signer epoch
///      (saturated at 15), so a relayed item is checked against its record alone: one cold read and one write
///      per item, `hot` being read once per batch. `bestHeight` is only raised when a tracked report is at
///      least `max(1, maxHeightLag / 4)` blocks above it, so it is written about once per `maxHeightLag / 4`
///      blocks of progress, not on every heartbeat: it trails the true best height by less than
///      `maxHeightLag / 4` (plus the heartbeat interval), which the lag threshold absorbs.
///      `HeartbeatRecorded` on the direct path carries the signer only (the validator would be one more cold
///      slot); relayed batches emit no per-item `HeartbeatRecorded` (the 15k-per-item budget has no room for a
///      log): an accepted item is every index of the batch's calldata not named in a `HeartbeatSkipped` event
///      of the same transaction, and `HeartbeatBatchProcessed` carries the totals.
contract NodeHealth is INodeHealth, Versioned, AccessControlUpgradeable, EIP712Upgradeable {
    using HeartbeatRecordLib for uint256;

    /// @notice May call `setParameters` (the DAO timelock).
    bytes32 public constant PARAMETER_ROLE = keccak256("PARAMETER_ROLE");
    /// @notice May call `registerSigner`, `fence` and `setBestHeightTracking` (the validator set).
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    /// @notice May call `rotateSigner` (the recovery manager).
    bytes32 public constant ROTATOR_ROLE = keccak256("ROTATOR_ROLE");

    /// @notice EIP-712 type hash of a relayed heartbeat (the report's fields are inlined).
    bytes32 public constant HEARTBEAT_TYPEHASH = keccak256(
        "Heartbeat(address validator,uint64 signerEpoch,uint64 timestamp,uint64 blockHeight,bytes32 blockHash,"
        "uint16 peerCount,uint32 latencyMs,uint16 diskUsedBps,bytes32 clientVersionHash)"
    );

    /// @notice Bounds of the epoch length fixed at initialization.
    uint32 public constant MIN_EPOCH_LENGTH = 5;
    uint32 public constant MAX_EPOCH_LENGTH = 1 days;

    uint256 private constant BPS = 10_000;

    // Layout of `hot`, the one config word a heartbeat reads:
    // bits   0..39   genesis          uint40  start of epoch 0 (block.timestamp at initialize)
    // bits  40..71   epochLength      uint32  seconds per epoch, fixed at initialize
    // bits  72..103  maxHeightLag     uint32  parameter
    // bits 104..111  stallReports     uint8   parameter
    // bits 112..143  maxHeartbeatAge  uint32  parameter
    // bits 144..183  bestHeight       uint40  best height reference (heights above 2^40-1 are rejected)
    uint256 private constant EPOCH_LENGTH_OFFSET = 40;
    uint256 private constant MAX_HEIGHT_LAG_OFFSET = 72;
    uint256 private constant STALL_REPORTS_OFFSET = 104;
    uint256 private constant MAX_HEARTBEAT_AGE_OFFSET = 112;
    uint256 private constant BEST_HEIGHT_OFFSET = 144;
    // Byte offsets of a SignedHeartbeat's members in calldata (a static struct: one word per member, the
    // report inline).
    uint256 private constant REPORT_BLOCK_HEIGHT = 0x00;
    uint256 private constant REPORT_BLOCK_HASH = 0x20;
    uint256 private constant REPORT_PEER_COUNT = 0x40;
    uint256 private constant REPORT_LATENCY_MS = 0x60;
    uint256 private constant REPORT_DISK_USED_BPS = 0x80;
    uint256 private constant REPORT_CLIENT_VERSION_HASH = 0xa0;
    uint256 private constant ITEM_SIGNER_EPOCH = 0x20;
    uint256 private constant ITEM_TIMESTAMP = 0x40;
    uint256 private constant ITEM_BLOCK_HEIGHT = 0x60;
    uint256 private constant ITEM_PEER_COUNT = 0xa0;
    uint256 private constant ITEM_LATENCY_MS = 0xc0;
    uint256 private constant ITEM_DISK_USED_BPS = 0xe0;
    uint256 private constant ITEM_CLIENT_VERSION_HASH = 0x100;
    uint256 private constant ITEM_R = 0x120;
    uint256 private constant ITEM_VS = 0x140;
    uint256 private constant BEST_HEIGHT_CLEAR_MASK = ~(uint256(type(uint40).max) << BEST_HEIGHT_OFFSET);

    /// @dev The parameters only views read.
    struct ColdConfig {
        uint32 heartbeatInterval;
        uint32 gracePeriod;
        uint16 uptimeWindow;
    }

    /// @custom:storage-location erc7201:healnet.storage.NodeHealth
    struct NodeHealthStorage {
        uint256 hot;
        ColdConfig cold;
        mapping(address signer => uint256 record) records;
        // A validator's current signer (bits 0..159) and signer epoch (bits 160..223); zero if none.
        mapping(address validator => uint256 signerInfo) signers;
        mapping(address signer => address validator) validatorOfSigner;
    }

    // keccak256(abi.encode(uint256(keccak256("healnet.storage.NodeHealth")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_LOCATION =
        0x72f2ce4f5d3509c0bb79aa333b1f13f98656103935aaf2c941645d14a889d500;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initializes the proxy: roles, parameters, and the epoch clock (genesis = now).
    /// @param admin Receives DEFAULT_ADMIN_ROLE (grants the other roles).
    /// @param params The initial parameters, each within its hard bounds.
    /// @param epochLength_ Seconds per uptime epoch (5 s .. 1 day), fixed forever.
    function initialize(address admin, Parameters calldata params, uint32 epochLength_) external initializer {
        if (admin == address(0)) revert NodeHealthZeroAddress("admin");
        _checkBounds("epochLength", epochLength_, MIN_EPOCH_LENGTH, MAX_EPOCH_LENGTH);
        __AccessControl_init();
        __EIP712_init("healnet NodeHealth", "1");
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _storage().hot = block.timestamp | (uint256(epochLength_) << EPOCH_LENGTH_OFFSET);
        _setParameters(params);
    }

    // ─── heartbeats ────────────────────────────────────────────────────────────────────────────────────

    /// @inheritdoc INodeHealth
    function heartbeat(HealthReport calldata report) external virtual {
        NodeHealthStorage storage $ = _storage();
        uint256 word = $.records[msg.sender];
        if (!word.isRegistered()) revert NodeHealthUnknownSigner(msg.sender);
        uint256 height = _reportWord(report, REPORT_BLOCK_HEIGHT);
        uint256 disk = _reportWord(report, REPORT_DISK_USED_BPS);
        if (height > HeartbeatRecordLib.MAX_BLOCK_HEIGHT)
            revert NodeHealthInvalidReport("blockHeight", height);
        if (disk > HeartbeatRecordLib.MAX_DISK_USED_BPS) revert NodeHealthInvalidReport("diskUsedBps", disk);
        // Every recorded timestamp is <= the block's, so equality is the only way to be not newer.
        if (word.hasHeartbeat() && word.timestamp() == block.timestamp) {
            revert NodeHealthDuplicateHeartbeat(msg.sender, uint64(block.timestamp));
        }
        uint256 hot = $.hot;
        (uint256 statusBits, uint256 raisedTo) = _nextStatus(word, block.timestamp, height, hot);
        $.records[msg.sender] =
            statusBits |
            HeartbeatRecordLib.metrics(
                block.timestamp,
                height,
                _reportWord(report, REPORT_PEER_COUNT),
                _reportWord(report, REPORT_LATENCY_MS),
                disk,
                bytes32(_reportWord(report, REPORT_CLIENT_VERSION_HASH))
            );
        emit HeartbeatRecorded(msg.sender, uint64(height), bytes32(_reportWord(report, REPORT_BLOCK_HASH)));
        if (raisedTo != 0) {
            $.hot = _withBestHeight(hot, raisedTo);
            emit BestHeightRaised(uint64(raisedTo), $.validatorOfSigner[msg.sender]);
        }
    }

    /// @inheritdoc INodeHealth
    /// @dev An accepted item costs one cold read and one write: its signer's record, which carries the signer
    ///      epoch (see `HeartbeatRecordLib`). A record with a non-zero epoch is the record of a signer in use,
    ///      so the item's `validator` is not looked up: the record credited is always the signer's own, that is
    ///      `validatorOfSigner(signer)`'s (see docs/contracts/NodeHealth.md).
    function heartbeatBatch(SignedHeartbeat[] calldata items) external returns (uint256 accepted) {
        NodeHealthStorage storage $ = _storage();
        uint256 hot = $.hot;
        bytes32 domainSeparator = _domainSeparatorV4();
        uint256[7] memory skippedByReason;
        address raiser; // the signer of the last item that raised bestHeight
        for (uint256 i = 0; i < items.length; ++i) {
            SignedHeartbeat calldata item = items[i];
            address signer = _recover(item, domainSeparator);
            (uint256 skip, uint256 raisedTo) = signer == address(0)
                ? (_skip(SkipReason.BadSignature), 0)
                : _processItem($, item, signer, hot);
            if (skip != 0) {
                // skip is a SkipReason + 1; counts are bounded by the batch length.
                unchecked {
                    ++skippedByReason[skip - 1];
                }
                emit HeartbeatSkipped(i, item.validator, SkipReason(skip - 1));
            } else {
                unchecked {
                    ++accepted; // bounded by the batch length
                }
                if (raisedTo != 0) {
                    // Kept in memory and written once after the loop; later items compare against it.
                    hot = _withBestHeight(hot, raisedTo);
                    raiser = signer;
                }
            }
        }
        if (raiser != address(0)) {
            $.hot = hot;
            emit BestHeightRaised(uint64(_bestHeight(hot)), $.validatorOfSigner[raiser]);
        }
        emit HeartbeatBatchProcessed(msg.sender, accepted, items.length - accepted, skippedByReason);
    }

    // ─── signer management ─────────────────────────────────────────────────────────────────────────────

    /// @inheritdoc INodeHealth
    function registerSigner(address validator, address signer) external onlyRole(REGISTRAR_ROLE) {
        if (validator == address(0)) revert NodeHealthZeroAddress("validator");
        NodeHealthStorage storage $ = _storage();
        if ($.signers[validator] != 0) revert NodeHealthAlreadyRegistered(validator);
        _claimSigner($, validator, signer);
        $.records[signer] = HeartbeatRecordLib.registration(uint32(block.timestamp), 1);
        $.signers[validator] = _signerInfo(signer, 1);
        emit SignerChanged(validator, address(0), signer, 1);
    }

    /// @inheritdoc INodeHealth
    function rotateSigner(address validator, address newSigner) external onlyRole(ROTATOR_ROLE) {
        NodeHealthStorage storage $ = _storage();
        (address oldSigner, uint64 epoch) = _signerOfKnown($, validator);
        _claimSigner($, validator, newSigner);
        // An epoch is bumped at most once per call: 2^64 of them cannot happen.
        unchecked {
            ++epoch;
        }
        $.records[newSigner] = $.records[oldSigner].withSignerEpoch(epoch);
        delete $.records[oldSigner];
        $.signers[validator] = _signerInfo(newSigner, epoch);
        emit SignerChanged(validator, oldSigner, newSigner, epoch);
    }

    /// @inheritdoc INodeHealth
    function fence(address validator) external onlyRole(REGISTRAR_ROLE) {
        NodeHealthStorage storage $ = _storage();
        (address signer, uint64 epoch) = _signerOfKnown($, validator);
        unchecked {
            ++epoch; // at most once per call: cannot reach 2^64
        }
        // The record carries the epoch too (saturated at 15), so relayed heartbeats are checked against it alone.
        $.records[signer] = $.records[signer].withSignerEpoch(epoch);
        $.signers[validator] = _signerInfo(signer, epoch);
        emit SignerChanged(validator, signer, signer, epoch);
    }

    /// @inheritdoc INodeHealth
    function setBestHeightTracking(address validator, bool tracked) external onlyRole(REGISTRAR_ROLE) {
        NodeHealthStorage storage $ = _storage();
        (address signer, ) = _signerOfKnown($, validator);
        $.records[signer] = $.records[signer].withTracksBestHeight(tracked);
        emit BestHeightTrackingChanged(validator, tracked);
    }

    /// @inheritdoc INodeHealth
    function setParameters(Parameters calldata params) external onlyRole(PARAMETER_ROLE) {
        _setParameters(params);
    }

    // ─── views ─────────────────────────────────────────────────────────────────────────────────────────

    /// @inheritdoc INodeHealth
    function livenessOf(address validator) external view returns (Liveness) {
        NodeHealthStorage storage $ = _storage();
        address signer = address(uint160($.signers[validator]));
        if (signer == address(0)) return Liveness.Unknown;
        uint256 word = $.records[signer];
        if (!word.hasHeartbeat()) return Liveness.Unknown;
        ColdConfig memory cold = $.cold;
        uint256 elapsed = block.timestamp - word.timestamp();
        if (elapsed > uint256(cold.heartbeatInterval) + cold.gracePeriod) return Liveness.Overdue;
        if (word.stallCount() >= _stallReports($.hot)) return Liveness.Stalled;
        if (elapsed > cold.heartbeatInterval) return Liveness.Late;
        return Liveness.Live;
    }

    /// @inheritdoc INodeHealth
    function lastHeartbeatAt(address validator) public view returns (uint64) {
        NodeHealthStorage storage $ = _storage();
        uint256 word = $.records[address(uint160($.signers[validator]))];
        return word.hasHeartbeat() ? word.timestamp() : 0;
    }

    /// @inheritdoc INodeHealth
    /// @dev All zeros for a validator without a signer; `timestamp` is 0 until the first heartbeat.
    function recordOf(address validator) external view returns (HeartbeatRecord memory record) {
        NodeHealthStorage storage $ = _storage();
        address signer = address(uint160($.signers[validator]));
        if (signer == address(0)) return record;
        HeartbeatRecordLib.Record memory r = HeartbeatRecordLib.unpack($.records[signer]);
        record = HeartbeatRecord({
            timestamp: r.hasHeartbeat ? r.timestamp : 0,
            blockHeight: r.blockHeight,
            peerCount: r.peerCount,
            latencyMs: r.latencyMs,
            diskUsedBps: r.diskUsedBps,
            clientVersion: r.clientVersion,
            stallCount: r.stallCount,
            tracksBestHeight: r.tracksBestHeight,
            uptimeBitmap: r.uptimeBitmap
        });
    }

    /// @inheritdoc INodeHealth
    /// @dev Counts the `uptimeWindow` most recent completed epochs `[e_now - W, e_now - 1]`; epochs after the
    ///      record's last epoch read as missed. 0 for a validator without a signer.
    function uptimeBps(address validator) external view returns (uint256) {
        NodeHealthStorage storage $ = _storage();
        address signer = address(uint160($.signers[validator]));
        if (signer == address(0)) return 0;
        uint256 word = $.records[signer];
        uint256 hot = $.hot;
        uint256 window = $.cold.uptimeWindow;
        uint256 last = _epochOf(hot, word.timestamp());
        uint256 current = _epochOf(hot, block.timestamp);
        // Records are never dated after the current block, so last <= current.
        uint256 behind = current - last;
        if (behind > window) return 0;
        // Epoch e is bit (last - e); the window's epochs are bits [1 - behind, window - behind], clamped at 0.
        uint256 from = behind == 0 ? 1 : 0;
        uint256 seen = HeartbeatRecordLib.countRange(word.uptimeBitmap(), from, window - behind);
        return (seen * BPS) / window;
    }

    /// @inheritdoc INodeHealth
    /// @dev A validator without a heartbeat (or without a signer) counts as silent. O(validators.length).
    function countSilentSince(
        address[] calldata validators,
        uint256 cutoff
    ) external view returns (uint256 count) {
        NodeHealthStorage storage $ = _storage();
        for (uint256 i = 0; i < validators.length; ++i) {
            uint256 word = $.records[address(uint160($.signers[validators[i]]))];
            if (!word.hasHeartbeat() || word.timestamp() < cutoff) {
                unchecked {
                    ++count; // at most validators.length
                }
            }
        }
    }

    /// @inheritdoc INodeHealth
    function signerOf(address validator) external view returns (address signer, uint64 signerEpoch) {
        uint256 info = _storage().signers[validator];
        return (address(uint160(info)), uint64(info >> 160));
    }

    /// @inheritdoc INodeHealth
    function validatorOfSigner(address signer) external view returns (address) {
        return _storage().validatorOfSigner[signer];
    }

    /// @inheritdoc INodeHealth
    function bestHeight() external view returns (uint64) {
        return uint64(_bestHeight(_storage().hot));
    }

    /// @inheritdoc INodeHealth
    /// @dev Timestamps before genesis fall in epoch 0.
    function epochOf(uint256 timestamp) external view returns (uint256) {
        return _epochOf(_storage().hot, timestamp);
    }

    /// @inheritdoc INodeHealth
    function epochLength() external view returns (uint32) {
        return uint32(_storage().hot >> EPOCH_LENGTH_OFFSET);
    }

    /// @notice Start of epoch 0 (the block timestamp at initialization).
    function genesis() external view returns (uint64) {
        return uint40(_storage().hot);
    }

    /// @inheritdoc INodeHealth
    function parameters() external view returns (Parameters memory) {
        NodeHealthStorage storage $ = _storage();
        uint256 hot = $.hot;
        ColdConfig memory cold = $.cold;
        return
            Parameters({
                heartbeatInterval: cold.heartbeatInterval,
                gracePeriod: cold.gracePeriod,
                maxHeartbeatAge: uint32(hot >> MAX_HEARTBEAT_AGE_OFFSET),
                uptimeWindow: cold.uptimeWindow,
                maxHeightLag: uint32(hot >> MAX_HEIGHT_LAG_OFFSET),
                stallReports: _stallReports(hot)
            });
    }

    /// @inheritdoc INodeHealth
    function heartbeatDigest(SignedHeartbeat calldata item) external view returns (bytes32) {
        return _digest(item, _domainSeparatorV4());
    }

    /// @inheritdoc INodeHealth
    function recoverHeartbeatSigner(SignedHeartbeat calldata item) external view returns (address) {
        return _recover(item, _domainSeparatorV4());
    }

    // ─── internals ─────────────────────────────────────────────────────────────────────────────────────

    /// @dev Checks one relayed item, whose signature recovered to `signer` (non-zero), in the order the batch
    ///      rules give (after the signature) and records it if it passes.
    /// @return skip 0 if recorded, else its `SkipReason` + 1.
    /// @return raisedTo The new best height if the item raised it, else 0.
    function _processItem(
        NodeHealthStorage storage $,
        SignedHeartbeat calldata item,
        address signer,
        uint256 hot
    ) private returns (uint256 skip, uint256 raisedTo) {
        uint256 word = $.records[signer];
        uint256 recordEpoch = word.signerEpoch();
        // No record: the signer is not (or no longer) a validator's signer. The reasons are those of the
        // validator the item names: it has no signer, or its signer is another key.
        if (recordEpoch == 0) return (_noRecordReason($, item.validator), 0);
        // The record's epoch is exact below 15; at 15 it means "15 or more" and the signer word has it.
        if (recordEpoch == HeartbeatRecordLib.SIGNER_EPOCH_SATURATED)
            recordEpoch = _currentEpochOf($, signer);
        if (_word(item, ITEM_SIGNER_EPOCH) != recordEpoch) return (_skip(SkipReason.FencedEpoch), 0);
        uint256 ts = _word(item, ITEM_TIMESTAMP);
        if (ts > block.timestamp) return (_skip(SkipReason.FutureDated), 0);
        // ts <= block.timestamp and the age fits in 32 bits: no overflow.
        unchecked {
            if (ts + uint32(hot >> MAX_HEARTBEAT_AGE_OFFSET) < block.timestamp)
                return (_skip(SkipReason.Stale), 0);
        }
        if (word.hasHeartbeat()) {
            if (ts <= word.timestamp()) return (_skip(SkipReason.Replayed), 0);
        } else if (ts < word.timestamp()) {
            // Signed before the record's registration time: not a heartbeat of this signer's tenure, and it would
            // date the uptime bitmap backwards.
            return (_skip(SkipReason.Stale), 0);
        }
        uint256 height = _word(item, ITEM_BLOCK_HEIGHT);
        uint256 disk = _word(item, ITEM_DISK_USED_BPS);
        if (height > HeartbeatRecordLib.MAX_BLOCK_HEIGHT || disk > HeartbeatRecordLib.MAX_DISK_USED_BPS) {
            return (_skip(SkipReason.InvalidReport), 0);
        }
        uint256 statusBits;
        (statusBits, raisedTo) = _nextStatus(word, ts, height, hot);
        $.records[signer] = statusBits | _itemMetrics(item, ts, height, disk);
    }

    /// @dev Why an item signed by a key without a record is skipped: the validator it names has no signer
    ///      (UnknownSigner), or its signer is another key (BadSignature). Off the accepted path.
    function _noRecordReason(NodeHealthStorage storage $, address validator) private view returns (uint256) {
        return _skip($.signers[validator] == 0 ? SkipReason.UnknownSigner : SkipReason.BadSignature);
    }

    /// @dev The full signer epoch of the validator whose current signer is `signer`. Read only when the record's
    ///      epoch is saturated (the validator was fenced or rotated 14 times or more).
    function _currentEpochOf(NodeHealthStorage storage $, address signer) private view returns (uint256) {
        return $.signers[$.validatorOfSigner[signer]] >> 160;
    }

    /// @dev The word at byte `offset` of `item` in calldata, as it is (not checked against the member's type).
    ///      Every caller range-checks or saturates the value, so an over-wide (badly encoded) value takes the
    ///      path its size gives: future-dated, fenced, invalid or saturated. It could only carry a valid
    ///      signature if the signer signed that encoding itself.
    function _word(SignedHeartbeat calldata item, uint256 offset) private pure returns (uint256 value) {
        // Gas: Solidity's checked calldata reads cost ~30 gas more per member, 7 members per relayed item.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            value := calldataload(add(item, offset))
        }
    }

    /// @dev Bits 0..141 of the record for an accepted item (its range-checked timestamp, height and disk use).
    function _itemMetrics(
        SignedHeartbeat calldata item,
        uint256 ts,
        uint256 height,
        uint256 disk
    ) private pure returns (uint256) {
        return
            HeartbeatRecordLib.metrics(
                ts,
                height,
                _word(item, ITEM_PEER_COUNT),
                _word(item, ITEM_LATENCY_MS),
                disk,
                bytes32(_word(item, ITEM_CLIENT_VERSION_HASH))
            );
    }

    /// @dev The word at byte `offset` of `report` in calldata, as it is: see `_word`.
    function _reportWord(HealthReport calldata report, uint256 offset) private pure returns (uint256 value) {
        // Gas: Solidity's checked calldata reads cost ~30 gas more per member, 6 members per heartbeat.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            value := calldataload(add(report, offset))
        }
    }

    function _skip(SkipReason reason) private pure returns (uint256) {
        return uint256(reason) + 1;
    }

    /// @dev Bits 142..255 of the record after a report of `height` at `ts` (>= the record's timestamp): stall
    ///      count, the kept flag and epoch, hasHeartbeat and the aged uptime bitmap; and the new best height if
    ///      this report raises it (0 otherwise).
    function _nextStatus(
        uint256 word,
        uint256 ts,
        uint256 height,
        uint256 hot
    ) private pure returns (uint256 statusBits, uint256 raisedTo) {
        uint256 best = _bestHeight(hot);
        uint256 maxLag = uint32(hot >> MAX_HEIGHT_LAG_OFFSET);
        uint256 stall = 0;
        // height < 2^40 (checked by the callers), maxLag < 2^32, best < 2^40 and stallCount < 2^8: none of the
        // sums overflow. ts >= the record's timestamp >= genesis, so the epoch difference is not negative.
        unchecked {
            if (best > height + maxLag) {
                stall = uint256(word.stallCount()) + 1;
                if (stall > type(uint8).max) stall = type(uint8).max;
            } else if (word.tracksBestHeight()) {
                uint256 step = maxLag >> 2;
                if (step == 0) step = 1;
                if (height >= best + step) raisedTo = height;
            }
            uint256 genesis_ = uint40(hot);
            uint256 length = uint32(hot >> EPOCH_LENGTH_OFFSET);
            uint256 epochs = (ts - genesis_) / length - (word.timestamp() - genesis_) / length;
            statusBits = HeartbeatRecordLib.afterHeartbeat(word, stall, epochs);
        }
    }

    /// @dev The signer of `item`, or zero if the signature is malformed, high-s or recovers to zero: OZ
    ///      `ECDSA.tryRecover(digest, r, vs)`'s rules (EIP-2098 compact form, s at most n/2), without its
    ///      library round trip.
    function _recover(
        SignedHeartbeat calldata item,
        bytes32 domainSeparator
    ) private view returns (address signer) {
        bytes32 digest = _digest(item, domainSeparator);
        // Gas: one block for the split of vs, the high-s check and the precompile call saves the library's calls
        // and tuple (~100 gas per relayed item). Uses the scratch space and memory past the free pointer only.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let vs := calldataload(add(item, ITEM_VS))
            let s := and(vs, 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff)
            if iszero(gt(s, 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0)) {
                let ptr := mload(0x40)
                mstore(ptr, digest)
                mstore(add(ptr, 0x20), add(shr(255, vs), 27))
                mstore(add(ptr, 0x40), calldataload(add(item, ITEM_R)))
                mstore(add(ptr, 0x60), s)
                // The ecrecover precompile returns no data for an invalid signature: 0x00 then stays zero.
                mstore(0x00, 0)
                if iszero(staticcall(gas(), 0x01, ptr, 0x80, 0x00, 0x20)) {
                    revert(0, 0)
                }
                signer := mload(0x00)
            }
        }
    }

    /// @dev The EIP-712 digest of `item`. The first nine words of a `SignedHeartbeat` in calldata (validator,
    ///      signerEpoch, timestamp and the six report fields, the report being a static struct encoded inline)
    ///      are exactly the typed data's encoded members, in order, so the struct hash is the keccak of the type
    ///      hash followed by those 288 bytes, copied as they are. Badly encoded (dirty) values hash to
    ///      something no honest signer signed, so they fail the signature rules (BadSignature or UnknownSigner).
    function _digest(
        SignedHeartbeat calldata item,
        bytes32 domainSeparator
    ) private pure returns (bytes32 digest) {
        bytes32 typeHash = HEARTBEAT_TYPEHASH;
        // Gas: hashing in place saves several hundred gas per relayed item, which the batch budget needs. Uses
        // memory past the free pointer as scratch only.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typeHash)
            calldatacopy(add(ptr, 0x20), item, 0x120)
            let structHash := keccak256(ptr, 0x140)
            mstore(ptr, hex"1901")
            mstore(add(ptr, 0x02), domainSeparator)
            mstore(add(ptr, 0x22), structHash)
            digest := keccak256(ptr, 0x42)
        }
    }

    /// @dev Reserves `signer` for `validator` forever; reverts if it is zero or was ever used.
    function _claimSigner(NodeHealthStorage storage $, address validator, address signer) private {
        if (signer == address(0) || $.validatorOfSigner[signer] != address(0)) {
            revert NodeHealthSignerUnavailable(signer);
        }
        $.validatorOfSigner[signer] = validator;
    }

    /// @dev The validator's signer and epoch; reverts if it has none.
    function _signerOfKnown(
        NodeHealthStorage storage $,
        address validator
    ) private view returns (address signer, uint64 epoch) {
        uint256 info = $.signers[validator];
        if (info == 0) revert NodeHealthUnknownValidator(validator);
        return (address(uint160(info)), uint64(info >> 160));
    }

    function _signerInfo(address signer, uint64 epoch) private pure returns (uint256) {
        return uint256(uint160(signer)) | (uint256(epoch) << 160);
    }

    function _setParameters(Parameters calldata p) private {
        _checkBounds("heartbeatInterval", p.heartbeatInterval, 5, 1 hours);
        _checkBounds("gracePeriod", p.gracePeriod, 0, 1 hours);
        _checkBounds("maxHeartbeatAge", p.maxHeartbeatAge, 5, 1 hours);
        _checkBounds("uptimeWindow", p.uptimeWindow, 10, 100);
        _checkBounds("maxHeightLag", p.maxHeightLag, 1, 1_000_000);
        _checkBounds("stallReports", p.stallReports, 1, 255);
        NodeHealthStorage storage $ = _storage();
        // Keep genesis, epochLength and bestHeight; replace the three hot parameters.
        uint256 keep = $.hot & ((uint256(1) << MAX_HEIGHT_LAG_OFFSET) - 1);
        keep |= $.hot & (uint256(type(uint40).max) << BEST_HEIGHT_OFFSET);
        $.hot =
            keep |
            (uint256(p.maxHeightLag) << MAX_HEIGHT_LAG_OFFSET) |
            (uint256(p.stallReports) << STALL_REPORTS_OFFSET) |
            (uint256(p.maxHeartbeatAge) << MAX_HEARTBEAT_AGE_OFFSET);
        $.cold = ColdConfig({
            heartbeatInterval: p.heartbeatInterval,
            gracePeriod: p.gracePeriod,
            uptimeWindow: p.uptimeWindow
        });
        emit ParametersUpdated(p);
    }

    function _checkBounds(bytes32 name, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert NodeHealthInvalidParameter(name, value, min, max);
    }

    function _epochOf(uint256 hot, uint256 timestamp) private pure returns (uint256) {
        uint256 genesis_ = uint40(hot);
        if (timestamp <= genesis_) return 0;
        // epochLength >= 5 once initialized; hot is only read after initialize.
        return (timestamp - genesis_) / uint32(hot >> EPOCH_LENGTH_OFFSET);
    }

    function _bestHeight(uint256 hot) private pure returns (uint256) {
        return uint40(hot >> BEST_HEIGHT_OFFSET);
    }

    function _withBestHeight(uint256 hot, uint256 height) private pure returns (uint256) {
        return (hot & BEST_HEIGHT_CLEAR_MASK) | (height << BEST_HEIGHT_OFFSET);
    }

    function _stallReports(uint256 hot) private pure returns (uint8) {
        return uint8(hot >> STALL_REPORTS_OFFSET);
    }

    function _storage() private pure returns (NodeHealthStorage storage $) {
        // ERC-7201: point the struct at its namespaced slot.
        // solhint-disable-next-line no-inline-assembly
        assembly {
            $.slot := STORAGE_LOCATION
        }
    }
}
