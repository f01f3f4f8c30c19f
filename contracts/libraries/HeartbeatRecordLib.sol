// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title HeartbeatRecordLib
/// @notice Packs a signer's heartbeat record into one storage word, and the uptime-bitmap arithmetic over it.
/// @dev Layout of the word (bit 0 is the least significant):
///
///      bits   0..31   timestamp        uint32  last heartbeat (or registration time while hasHeartbeat == 0);
///                                              valid to 2106
///      bits  32..71   blockHeight      uint40  reported height (a report above 2^40-1 is rejected:
///                                              NodeHealthInvalidReport)
///      bits  72..79   peerCount        uint8   saturated at 255
///      bits  80..95   latencyMs        uint16  saturated at 65,535
///      bits  96..109  diskUsedBps      uint14  0..10,000 (above: rejected)
///      bits 110..141  clientVersion    bytes4  first 4 bytes of clientVersionHash
///      bits 142..149  stallCount       uint8   consecutive lagging reports, saturated at 255
///      bit  150       tracksBestHeight the validator is active: its reports may raise bestHeight
///      bits 151..154  signerEpoch      uint4   the validator's signer epoch, saturated at 15 (15 = "15 or more:
///                                              read the validator's signer word"); 0 = not a signer in use
///                                              (never registered, or rotated away: such records are deleted)
///      bit  155       hasHeartbeat     at least one heartbeat recorded
///      bits 156..255  uptimeBitmap     bits 1..100 of the bitmap: bit i = a heartbeat was seen in epoch
///                                      (epochOf(timestamp) - i)
///
///      Bit 0 of the uptime bitmap (the record's own epoch) is always 1: a heartbeat marks its epoch, and a
///      registration starts with a full window. It is therefore not stored: its position in the word, just below
///      the stored bits, holds `hasHeartbeat`. Read as `(word >> 155) | 1`, bits 155..255 are the whole
///      101-bit bitmap, and after a heartbeat they are exactly that bitmap with bit 0 (= hasHeartbeat) set, which
///      is what lets the hot path age the bitmap with three shifts and no masking (`afterHeartbeat`).
///
///      The signer epoch in the record lets a relayed heartbeat be checked against its record alone (one cold
///      read): a non-zero epoch proves the signer is the current signer of its validator (records are keyed by
///      signer and a rotated-away signer's record is deleted), and an exact epoch below 15 is the full epoch.
///      Only a validator fenced or rotated 14 times or more needs its signer word as well.
///
///      Registration writes timestamp = now, the signer epoch, hasHeartbeat = 0 and a bitmap of all ones (a new
///      signer starts with a full window: benefit of the doubt).
library HeartbeatRecordLib {
    /// @notice A record, unpacked (every field, including the ones the interface's view leaves out).
    struct Record {
        uint32 timestamp;
        uint40 blockHeight;
        uint8 peerCount;
        uint16 latencyMs;
        uint16 diskUsedBps;
        bytes4 clientVersion;
        uint8 stallCount;
        bool tracksBestHeight;
        uint8 signerEpoch;
        bool hasHeartbeat;
        uint256 uptimeBitmap;
    }

    uint256 internal constant BLOCK_HEIGHT_OFFSET = 32;
    uint256 internal constant PEER_COUNT_OFFSET = 72;
    uint256 internal constant LATENCY_OFFSET = 80;
    uint256 internal constant DISK_OFFSET = 96;
    uint256 internal constant CLIENT_VERSION_OFFSET = 110;
    uint256 internal constant STALL_COUNT_OFFSET = 142;
    uint256 internal constant TRACKS_BEST_HEIGHT_BIT = 1 << 150;
    uint256 internal constant SIGNER_EPOCH_OFFSET = 151;
    uint256 internal constant HAS_HEARTBEAT_BIT = 1 << 155;
    /// @notice Offset of the 101-bit bitmap as read (`(word >> BITMAP_OFFSET) | 1`); its bit 0 is not stored.
    uint256 internal constant BITMAP_OFFSET = 155;

    /// @notice Largest signer epoch a record holds exactly; a record holding it means "this or more".
    uint256 internal constant SIGNER_EPOCH_SATURATED = 15;
    /// @notice The fields a heartbeat keeps: the tracking flag and the signer epoch (bits 150..154).
    uint256 internal constant KEPT_BY_HEARTBEAT_MASK = uint256(0x1f) << 150;
    /// @notice The signer epoch field, in place.
    uint256 internal constant SIGNER_EPOCH_MASK = SIGNER_EPOCH_SATURATED << SIGNER_EPOCH_OFFSET;

    /// @notice Number of epochs the uptime bitmap remembers.
    uint256 internal constant BITMAP_BITS = 101;
    /// @notice The 101 low bits set.
    uint256 internal constant BITMAP_MASK = (1 << BITMAP_BITS) - 1;
    /// @notice Largest storable block height.
    uint256 internal constant MAX_BLOCK_HEIGHT = type(uint40).max;
    /// @notice Largest storable disk use (14 bits hold it).
    uint256 internal constant MAX_DISK_USED_BPS = 10_000;

    /// @notice Packs `r` into one word. Bitmap bits above the 101st are dropped and bit 0 is not stored (it
    ///         reads as 1); `signerEpoch` is saturated at 15. The caller keeps `diskUsedBps <= 10,000`.
    function pack(Record memory r) internal pure returns (uint256 word) {
        word =
            uint256(r.timestamp) |
            (uint256(r.blockHeight) << BLOCK_HEIGHT_OFFSET) |
            (uint256(r.peerCount) << PEER_COUNT_OFFSET) |
            (uint256(r.latencyMs) << LATENCY_OFFSET) |
            (uint256(r.diskUsedBps) << DISK_OFFSET) |
            (uint256(uint32(r.clientVersion)) << CLIENT_VERSION_OFFSET) |
            (uint256(r.stallCount) << STALL_COUNT_OFFSET) |
            (saturate(r.signerEpoch, SIGNER_EPOCH_SATURATED) << SIGNER_EPOCH_OFFSET) |
            (((r.uptimeBitmap & BITMAP_MASK) >> 1) << (BITMAP_OFFSET + 1));
        if (r.tracksBestHeight) word |= TRACKS_BEST_HEIGHT_BIT;
        if (r.hasHeartbeat) word |= HAS_HEARTBEAT_BIT;
    }

    /// @notice Unpacks every field of `word`.
    function unpack(uint256 word) internal pure returns (Record memory r) {
        r.timestamp = timestamp(word);
        r.blockHeight = blockHeight(word);
        r.peerCount = uint8(word >> PEER_COUNT_OFFSET);
        r.latencyMs = uint16(word >> LATENCY_OFFSET);
        r.diskUsedBps = uint16((word >> DISK_OFFSET) & 0x3fff);
        r.clientVersion = clientVersion(word);
        r.stallCount = stallCount(word);
        r.tracksBestHeight = tracksBestHeight(word);
        r.signerEpoch = uint8(signerEpoch(word));
        r.hasHeartbeat = hasHeartbeat(word);
        r.uptimeBitmap = uptimeBitmap(word);
    }

    /// @notice The word a registration writes: `timestamp = now`, the signer epoch (saturated at 15), no
    ///         heartbeat, full uptime window.
    function registration(uint32 now_, uint256 epoch) internal pure returns (uint256) {
        return
            uint256(now_) |
            (saturate(epoch, SIGNER_EPOCH_SATURATED) << SIGNER_EPOCH_OFFSET) |
            ((BITMAP_MASK << BITMAP_OFFSET) & ~HAS_HEARTBEAT_BIT);
    }

    /// @notice Bits 0..141 of a heartbeat's word: the timestamp and the report's metrics.
    /// @dev The caller has checked `height <= MAX_BLOCK_HEIGHT`, `diskUsedBps <= 10,000` and `timestamp_` < 2^32;
    ///      `peers` and `latency` are saturated here.
    function metrics(
        uint256 timestamp_,
        uint256 height,
        uint256 peers,
        uint256 latency,
        uint256 diskUsedBps,
        bytes32 clientVersionHash
    ) internal pure returns (uint256) {
        return
            timestamp_ |
            (height << BLOCK_HEIGHT_OFFSET) |
            (saturate(peers, type(uint8).max) << PEER_COUNT_OFFSET) |
            (saturate(latency, type(uint16).max) << LATENCY_OFFSET) |
            (diskUsedBps << DISK_OFFSET) |
            ((uint256(clientVersionHash) >> 224) << CLIENT_VERSION_OFFSET);
    }

    /// @notice Bits 142..255 of `word` after a heartbeat `epochs` epochs after the record's epoch: stall count
    ///         `stall`, the tracking flag and signer epoch kept, hasHeartbeat set, and the bitmap aged by
    ///         `epochs` with bit 0 set.
    /// @dev The caller has checked `stall <= 255`. Aging: `(word >> 155) | 1` is the whole bitmap; shifted left
    ///      by `epochs` (an EVM shift of 256 or more gives 0), its bit 0 set, and shifted back to bit 155, the
    ///      bits beyond the 101st fall off the top of the word. Bit 155 (hasHeartbeat) ends up 1.
    function afterHeartbeat(uint256 word, uint256 stall, uint256 epochs) internal pure returns (uint256) {
        return
            (stall << STALL_COUNT_OFFSET) |
            (word & KEPT_BY_HEARTBEAT_MASK) |
            (((((word >> BITMAP_OFFSET) | 1) << epochs) | 1) << BITMAP_OFFSET);
    }

    /// @notice The record's timestamp (registration time while `hasHeartbeat` is false).
    function timestamp(uint256 word) internal pure returns (uint32) {
        return uint32(word);
    }

    /// @notice The last reported block height.
    function blockHeight(uint256 word) internal pure returns (uint40) {
        return uint40(word >> BLOCK_HEIGHT_OFFSET);
    }

    /// @notice The first 4 bytes of the last reported client version hash.
    function clientVersion(uint256 word) internal pure returns (bytes4) {
        return bytes4(uint32(word >> CLIENT_VERSION_OFFSET));
    }

    /// @notice Consecutive lagging reports (saturated at 255).
    function stallCount(uint256 word) internal pure returns (uint8) {
        return uint8(word >> STALL_COUNT_OFFSET);
    }

    /// @notice The validator's signer epoch saturated at 15 (15: this or more); 0 if not a signer in use.
    function signerEpoch(uint256 word) internal pure returns (uint256) {
        return (word >> SIGNER_EPOCH_OFFSET) & SIGNER_EPOCH_SATURATED;
    }

    /// @notice Whether the word belongs to a signer in use (its signer epoch is at least 1).
    function isRegistered(uint256 word) internal pure returns (bool) {
        return word & SIGNER_EPOCH_MASK != 0;
    }

    /// @notice Whether the signer's reports may raise the best height.
    function tracksBestHeight(uint256 word) internal pure returns (bool) {
        return word & TRACKS_BEST_HEIGHT_BIT != 0;
    }

    /// @notice Whether at least one heartbeat was recorded.
    function hasHeartbeat(uint256 word) internal pure returns (bool) {
        return word & HAS_HEARTBEAT_BIT != 0;
    }

    /// @notice The 101-bit uptime bitmap (bit 0, the record's own epoch, always reads 1).
    function uptimeBitmap(uint256 word) internal pure returns (uint256) {
        return (word >> BITMAP_OFFSET) | 1;
    }

    /// @notice `word` with the `tracksBestHeight` flag set to `tracks`.
    function withTracksBestHeight(uint256 word, bool tracks) internal pure returns (uint256) {
        return tracks ? word | TRACKS_BEST_HEIGHT_BIT : word & ~TRACKS_BEST_HEIGHT_BIT;
    }

    /// @notice `word` with its signer epoch set to `epoch` (saturated at 15; `epoch` >= 1 for a signer in use).
    function withSignerEpoch(uint256 word, uint256 epoch) internal pure returns (uint256) {
        return (word & ~SIGNER_EPOCH_MASK) | (saturate(epoch, SIGNER_EPOCH_SATURATED) << SIGNER_EPOCH_OFFSET);
    }

    /// @notice `value`, or `max` if it is larger.
    function saturate(uint256 value, uint256 max) internal pure returns (uint256) {
        return value > max ? max : value;
    }

    /// @notice Ages a bitmap by `epochs`: bit i moves to bit i + epochs, bits beyond the 101st fall off, and the
    ///         epochs in between read as missed.
    function shift(uint256 bitmap, uint256 epochs) internal pure returns (uint256) {
        if (epochs >= BITMAP_BITS) return 0;
        return (bitmap << epochs) & BITMAP_MASK;
    }

    /// @notice Number of set bits in `bitmap` at positions `from..to` (inclusive; `to` < 101).
    function countRange(uint256 bitmap, uint256 from, uint256 to) internal pure returns (uint256) {
        if (from > to) return 0;
        // `to` < 101, so `to + 1` cannot overflow and the mask fits in 101 bits.
        uint256 mask = ((1 << (to + 1)) - 1) & ~((1 << from) - 1);
        return popcount(bitmap & mask);
    }

    /// @notice Number of set bits in `x`; `x` must have fewer than 256 set bits (a bitmap has at most 101).
    function popcount(uint256 x) internal pure returns (uint256) {
        // SWAR population count. Every step only combines disjoint bit groups whose sums fit in the group,
        // except the final multiply, which sums the 32 byte counts into the top byte: that sum is at most 255
        // for any input with fewer than 256 bits set, and the overflowing low-order products are discarded
        // by design.
        unchecked {
            x = x - ((x >> 1) & 0x5555555555555555555555555555555555555555555555555555555555555555);
            x =
                (x & 0x3333333333333333333333333333333333333333333333333333333333333333) +
                ((x >> 2) & 0x3333333333333333333333333333333333333333333333333333333333333333);
            x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f;
            return (x * 0x0101010101010101010101010101010101010101010101010101010101010101) >> 248;
        }
    }
}
