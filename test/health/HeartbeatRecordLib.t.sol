// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";

import {HeartbeatRecordLib} from "../../contracts/libraries/HeartbeatRecordLib.sol";

contract HeartbeatRecordLibTest is Test {
    using HeartbeatRecordLib for uint256;

    uint256 internal constant MASK_101 = (uint256(1) << 101) - 1;

    function _naivePopcount(uint256 x) internal pure returns (uint256 n) {
        for (; x != 0; x >>= 1) n += x & 1;
    }

    function testFuzz_pack_roundTrips(
        uint32 timestamp,
        uint40 blockHeight,
        uint8 peerCount,
        uint16 latencyMs,
        uint16 diskUsedBps,
        bytes4 clientVersion,
        uint8 stallCount,
        uint8 flags,
        uint8 signerEpoch,
        uint256 bitmap
    ) public pure {
        diskUsedBps = uint16(bound(diskUsedBps, 0, 10_000)); // 14 bits hold it; the callers reject more
        HeartbeatRecordLib.Record memory r = HeartbeatRecordLib.Record({
            timestamp: timestamp,
            blockHeight: blockHeight,
            peerCount: peerCount,
            latencyMs: latencyMs,
            diskUsedBps: diskUsedBps,
            clientVersion: clientVersion,
            stallCount: stallCount,
            tracksBestHeight: flags & 2 != 0,
            signerEpoch: signerEpoch,
            hasHeartbeat: flags & 4 != 0,
            uptimeBitmap: bitmap
        });
        uint256 word = HeartbeatRecordLib.pack(r);
        HeartbeatRecordLib.Record memory back = HeartbeatRecordLib.unpack(word);
        // Bits beyond the window are dropped, bit 0 (the record's own epoch) always reads 1, and the epoch
        // saturates at 15.
        r.uptimeBitmap = (bitmap & MASK_101) | 1;
        r.signerEpoch = signerEpoch > 15 ? 15 : signerEpoch;
        assertEq(abi.encode(back), abi.encode(r));
        // The accessors read the same fields.
        assertEq(word.timestamp(), timestamp);
        assertEq(word.blockHeight(), blockHeight);
        assertEq(word.clientVersion(), clientVersion);
        assertEq(word.stallCount(), stallCount);
        assertEq(word.signerEpoch(), r.signerEpoch);
        assertEq(word.isRegistered(), signerEpoch != 0);
        assertEq(word.tracksBestHeight(), flags & 2 != 0);
        assertEq(word.hasHeartbeat(), flags & 4 != 0);
        assertEq(word.uptimeBitmap(), (bitmap & MASK_101) | 1);
        // Toggling the tracking flag touches nothing else.
        uint256 toggled = word.withTracksBestHeight(flags & 2 == 0);
        assertEq(toggled ^ word, HeartbeatRecordLib.TRACKS_BEST_HEIGHT_BIT);
    }

    function testFuzz_withSignerEpoch_setsSaturatedEpochOnly(uint256 word, uint256 epoch) public pure {
        epoch = bound(epoch, 1, type(uint64).max);
        uint256 updated = word.withSignerEpoch(epoch);
        assertEq(updated.signerEpoch(), epoch > 15 ? 15 : epoch);
        assertTrue(updated.isRegistered());
        assertEq(
            updated & ~HeartbeatRecordLib.SIGNER_EPOCH_MASK,
            word & ~HeartbeatRecordLib.SIGNER_EPOCH_MASK
        );
    }

    function testFuzz_afterHeartbeat_agesBitmapAndKeepsFlagAndEpoch(
        uint256 word,
        uint8 stall,
        uint256 epochs
    ) public pure {
        epochs = bound(epochs, 0, 1_000);
        uint256 status = HeartbeatRecordLib.afterHeartbeat(word, stall, epochs);
        assertEq(
            status & ((uint256(1) << HeartbeatRecordLib.STALL_COUNT_OFFSET) - 1),
            0,
            "bits 0..141 clear"
        );
        assertEq(status.stallCount(), stall);
        assertEq(status.tracksBestHeight(), word.tracksBestHeight());
        assertEq(status.signerEpoch(), word.signerEpoch());
        assertTrue(status.hasHeartbeat());
        assertEq(status.uptimeBitmap(), HeartbeatRecordLib.shift(word.uptimeBitmap(), epochs) | 1);
    }

    function testFuzz_metricsAndStatus_saturateAndMatchUnpack(
        uint32 timestamp,
        uint40 height,
        uint256 peers,
        uint256 latency,
        uint16 disk,
        bytes32 versionHash,
        uint8 stall,
        bool tracks,
        uint256 bitmap
    ) public pure {
        disk = uint16(bound(disk, 0, 10_000));
        uint256 before = HeartbeatRecordLib.registration(0, 3).withTracksBestHeight(tracks);
        before = (before & ((uint256(1) << HeartbeatRecordLib.BITMAP_OFFSET) - 1)) | (bitmap << 156);
        uint256 word =
            HeartbeatRecordLib.metrics(timestamp, height, peers, latency, disk, versionHash) |
                HeartbeatRecordLib.afterHeartbeat(before, stall, 0);
        HeartbeatRecordLib.Record memory r = HeartbeatRecordLib.unpack(word);
        assertEq(r.timestamp, timestamp);
        assertEq(r.blockHeight, height);
        assertEq(r.peerCount, peers > 255 ? 255 : peers);
        assertEq(r.latencyMs, latency > 65_535 ? 65_535 : latency);
        assertEq(r.diskUsedBps, disk);
        assertEq(r.clientVersion, bytes4(versionHash));
        assertEq(r.stallCount, stall);
        assertEq(r.signerEpoch, 3);
        assertTrue(r.hasHeartbeat);
        assertEq(r.tracksBestHeight, tracks);
        assertEq(r.uptimeBitmap, ((bitmap << 1) | 1) & MASK_101);
    }

    function testFuzz_saturate_capsAtMax(uint256 value, uint256 max) public pure {
        uint256 s = HeartbeatRecordLib.saturate(value, max);
        assertLe(s, max);
        assertEq(s, value < max ? value : max);
    }

    function test_registration_setsFullWindowAndNoHeartbeat() public pure {
        uint256 word = HeartbeatRecordLib.registration(1_700_000_000, 1);
        assertEq(word.timestamp(), 1_700_000_000);
        assertTrue(word.isRegistered());
        assertEq(word.signerEpoch(), 1);
        assertEq(HeartbeatRecordLib.registration(1_700_000_000, 99).signerEpoch(), 15, "saturated");
        assertFalse(word.hasHeartbeat());
        assertFalse(word.tracksBestHeight());
        assertEq(word.uptimeBitmap(), MASK_101);
        assertEq(word.stallCount(), 0);
        assertEq(word.blockHeight(), 0);
    }

    function testFuzz_shift_agesAndDropsBeyondWindow(uint256 bitmap, uint256 epochs) public pure {
        bitmap &= MASK_101;
        epochs = bound(epochs, 0, 300);
        uint256 shifted = HeartbeatRecordLib.shift(bitmap, epochs);
        assertLe(shifted, MASK_101);
        for (uint256 i = 0; i < 101; ++i) {
            bool expected = i >= epochs && (bitmap >> (i - epochs)) & 1 == 1;
            assertEq((shifted >> i) & 1 == 1, expected);
        }
    }

    function testFuzz_popcount_matchesNaive(uint256 x) public pure {
        x &= (uint256(1) << 255) - 1; // fewer than 256 bits set
        assertEq(HeartbeatRecordLib.popcount(x), _naivePopcount(x));
    }

    function test_popcount_fullWindow() public pure {
        assertEq(HeartbeatRecordLib.popcount(MASK_101), 101);
        assertEq(HeartbeatRecordLib.popcount(0), 0);
    }

    function testFuzz_countRange_matchesNaive(uint256 bitmap, uint256 from, uint256 to) public pure {
        bitmap &= MASK_101;
        to = bound(to, 0, 100);
        from = bound(from, 0, 101);
        uint256 expected;
        for (uint256 i = from; i <= to; ++i) expected += (bitmap >> i) & 1;
        assertEq(HeartbeatRecordLib.countRange(bitmap, from, to), expected);
    }
}
