// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";

import {INodeHealth} from "../../../contracts/interfaces/INodeHealth.sol";
import {NodeHealth} from "../../../contracts/health/NodeHealth.sol";
import {SelfHealingValidatorSet} from "../../../contracts/validators/SelfHealingValidatorSet.sol";

/// @dev The validators' side of the core invariant test, and the clock. Validators 0..4 are honest (their
///      signers heartbeat at every step), 5 is offline (never heartbeats after setup), 6 flaps (heartbeats at
///      random moments, always within `heartbeatInterval + gracePeriod` of its last one), 7 is the escaper
///      (honest until it goes dark; the keeper handler makes it unbond right after it is detected). A network
///      partition can silence honest validators 3 and 4 for a while (they then lose their ghost honesty).
///      Time only moves here; every move heartbeats the honest signers at the new time before anyone else
///      can act, and the flapper beats at a random moment before its deadline. The clock is replayed at the
///      start of every call (the runner does not keep warps between calls).
///      Ghost honesty: a validator stays honest while, at every moment a handler observed, its last heartbeat
///      was at most `heartbeatInterval + gracePeriod` ago.
contract CoreActors is Test {
    uint256 public constant N = 8;
    uint256 public constant HONEST = 5;
    uint256 public constant OFFLINE = 5;
    uint256 public constant FLAPPER = 6;
    uint256 public constant ESCAPER = 7;

    SelfHealingValidatorSet public immutable set;
    NodeHealth public immutable health;
    /// @dev heartbeatInterval + gracePeriod: the longest silence that is not overdue.
    uint256 public immutable window;

    address[N] internal validators;
    address[N] internal signers;

    uint256 public currentTime;
    uint256 public currentBlock;
    bool public escaperDark;
    bool public partitioned;

    mapping(uint256 index => uint256) public lastBeat;
    mapping(uint256 index => bool) public ghostHonest;
    /// @dev A heartbeat by a signer that should always be accepted reverted.
    uint256 public beatFailures;
    uint256 public hugeJumps;
    uint256 public boundaryWarps;

    constructor(
        SelfHealingValidatorSet set_,
        NodeHealth health_,
        address[N] memory validators_,
        address[N] memory signers_
    ) {
        set = set_;
        health = health_;
        validators = validators_;
        signers = signers_;
        INodeHealth.Parameters memory hp = health_.parameters();
        window = uint256(hp.heartbeatInterval) + hp.gracePeriod;
        currentTime = block.timestamp;
        currentBlock = block.number;
        for (uint256 i; i < N; ++i) {
            lastBeat[i] = health_.lastHeartbeatAt(validators_[i]);
            ghostHonest[i] = true;
        }
    }

    // ------------------------------------------------------------------ fuzzed actions

    /// @dev A small step of 1..15 s.
    function step(uint256 seconds_, uint256 seed) external {
        sync();
        _advance(bound(seconds_, 1, 15), seed);
    }

    /// @dev Exactly `heartbeatInterval + gracePeriod`.
    function stepWindow(uint256 seed) external {
        sync();
        _advance(window, seed);
    }

    /// @dev Lands exactly on a validator's `overdueAt` (the last second it is not overdue) or one past it.
    function warpToBoundary(uint256 index, bool pastIt, uint256 seed) external {
        sync();
        uint256 target = set.overdueAt(validators[index % N]) + (pastIt ? 1 : 0);
        if (target <= currentTime) return;
        ++boundaryWarps;
        _advance(target - currentTime, seed);
    }

    /// @dev A huge jump (1 h .. 3 days): the chain halted, or nobody called anything for a long time.
    function jump(uint256 seconds_, uint256 seed) external {
        sync();
        ++hugeJumps;
        _advance(bound(seconds_, 1 hours, 3 days), seed);
    }

    function escaperGoesDark() external {
        sync();
        escaperDark = true;
    }

    /// @dev A network partition cuts honest validators 3 and 4 off (they stop heartbeating): with the escaper
    ///      dark too, more than half of the active set can be silent at once, a correlated outage.
    function partition() external {
        sync();
        partitioned = true;
    }

    function healPartition() external {
        sync();
        partitioned = false;
        _beat(3);
        _beat(4);
        observe();
    }

    function escaperComesBack() external {
        sync();
        escaperDark = false;
        _beat(ESCAPER);
        observe();
    }

    // ------------------------------------------------------------------ used by the other handlers

    /// @dev Replays the clock; every handler calls it first.
    function sync() public {
        vm.warp(currentTime);
        vm.roll(currentBlock);
    }

    /// @dev Updates ghost honesty at the current moment.
    function observe() public {
        for (uint256 i; i < N; ++i) {
            if (ghostHonest[i] && currentTime > lastBeat[i] + window) ghostHonest[i] = false;
        }
    }

    function validatorAt(uint256 index) external view returns (address) {
        return validators[index % N];
    }

    function signerAt(uint256 index) external view returns (address) {
        return signers[index % N];
    }

    // ------------------------------------------------------------------ internals

    function _advance(uint256 seconds_, uint256 seed) internal {
        uint256 target = currentTime + seconds_;
        uint256 deadline = lastBeat[FLAPPER] + window;
        if (target > deadline) {
            // The flapper beats at a random moment it is still on time, before the clock passes its deadline.
            uint256 at = currentTime + (seed % (deadline - currentTime + 1));
            if (at > currentTime) {
                _moveTo(at);
                _beatEveryStep();
            }
            _beat(FLAPPER);
        }
        _moveTo(target);
        _beatEveryStep();
        // After a huge jump it comes back at once (no call could land in between); else beats at random.
        if (currentTime > lastBeat[FLAPPER] + window || (seed >> 128) % 3 == 0) _beat(FLAPPER);
        observe();
    }

    function _beatEveryStep() internal {
        for (uint256 i; i < HONEST; ++i) {
            if (!partitioned || i < 3) _beat(i);
        }
        if (!escaperDark) _beat(ESCAPER);
    }

    function _moveTo(uint256 time) internal {
        currentBlock += 1 + (time - currentTime) / 12;
        currentTime = time;
        vm.warp(currentTime);
        vm.roll(currentBlock);
    }

    function _beat(uint256 i) internal {
        if (lastBeat[i] == currentTime) return;
        INodeHealth.HealthReport memory report = INodeHealth.HealthReport({
            blockHeight: uint64(currentBlock - 1),
            // The report names the previous block, as a node at the chain head would.
            // solhint-disable-next-line not-rely-on-block-hash
            blockHash: blockhash(currentBlock - 1),
            peerCount: 25,
            latencyMs: 40,
            diskUsedBps: 3_000,
            clientVersionHash: keccak256("healnet-node/1.0.0")
        });
        vm.prank(signers[i]);
        try health.heartbeat(report) {
            lastBeat[i] = currentTime;
        } catch {
            ++beatFailures;
        }
    }
}
