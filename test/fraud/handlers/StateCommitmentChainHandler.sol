// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {CommonBase} from "forge-std/Base.sol";
import {StdUtils} from "forge-std/StdUtils.sol";

import {StateCommitmentChain} from "../../../contracts/fraud/StateCommitmentChain.sol";
import {IStateCommitmentChain} from "../../../contracts/interfaces/IStateCommitmentChain.sol";
import {LedgerModel} from "./LedgerModel.sol";

/// @title StateCommitmentChainHandler
/// @notice Drives the chain with an honest proposer (valid batches on the head it knows), a liar (a wrong
///         post-root at one step), a challenger who proves lies and also tries honest steps, and time. It keeps
///         the model's account state per state root, so after a rollback the honest proposer resumes from the
///         restored head. Ghost state records what the invariants check.
contract StateCommitmentChainHandler is CommonBase, StdUtils {
    struct Snapshot {
        bool known;
        uint128[3] balances;
        uint64[3] nonces;
    }

    StateCommitmentChain public immutable scc;
    LedgerModel public immutable model;
    address public immutable honest;
    address public immutable liar;
    address public immutable challenger;
    address[3] internal _who;
    uint256[3] internal _pks;

    mapping(bytes32 root => Snapshot) internal _states;
    /// @dev abi.encode(FraudProof) of step `step` of each commitment (the lie's step for a lie).
    mapping(uint256 commitmentId => bytes) internal _proofOf;
    mapping(uint256 commitmentId => bool) public isLie;
    uint256[] public ids;
    uint256[] public finalSeen;
    uint256[] public provenLies;
    bool public honestStepProvenFraudulent;
    bool public lieNotProvenInsideWindow;

    constructor(
        StateCommitmentChain chain,
        LedgerModel ledgerModel,
        address honestProposer,
        address lyingProposer,
        address challengerAddress,
        address[3] memory accounts,
        uint256[3] memory keys
    ) {
        scc = chain;
        model = ledgerModel;
        honest = honestProposer;
        liar = lyingProposer;
        challenger = challengerAddress;
        _who = accounts;
        _pks = keys;
        _save(model.root());
    }

    function idsLength() external view returns (uint256) {
        return ids.length;
    }

    function finalSeenLength() external view returns (uint256) {
        return finalSeen.length;
    }

    function provenLiesLength() external view returns (uint256) {
        return provenLies.length;
    }

    // ------------------------------------------------------------------ actions

    function proposeHonest(uint256 seed) external {
        _proposeBatch(seed, false, 0);
    }

    function proposeLie(uint256 seed, uint256 step) external {
        _proposeBatch(seed, true, step);
    }

    /// @dev Challenges a recorded commitment with its stored proof.
    function challenge(uint256 pick) external {
        if (ids.length == 0) return;
        uint256 id = ids[bound(pick, 0, ids.length - 1)];
        bool pending = scc.stateOf(id) == IStateCommitmentChain.CommitmentState.Pending;
        IStateCommitmentChain.FraudProof memory p = abi.decode(
            _proofOf[id],
            (IStateCommitmentChain.FraudProof)
        );
        vm.prank(challenger);
        try scc.challenge(p) returns (bool fraud) {
            if (fraud && !isLie[id]) honestStepProvenFraudulent = true;
            if (fraud) provenLies.push(id);
            if (!fraud && isLie[id]) lieNotProvenInsideWindow = true;
        } catch {
            // Only a commitment that is no longer pending may refuse a challenge with a correct proof.
            if (pending) lieNotProvenInsideWindow = lieNotProvenInsideWindow || isLie[id];
        }
        _recordFinal();
    }

    function warp(uint256 dt) external {
        vm.warp(block.timestamp + bound(dt, 1, 40 minutes));
        _recordFinal();
    }

    // ------------------------------------------------------------------ internals

    function _proposeBatch(uint256 seed, bool lie, uint256 lieStep) internal {
        bytes32 head = scc.headStateRoot();
        Snapshot storage s = _states[head];
        if (!s.known) return; // the head is a lie: no honest state to build on (the liar builds nothing either)
        _restore(s);
        uint256 n = bound(seed, 1, 4);
        IStateCommitmentChain.Transfer[] memory txs = new IStateCommitmentChain.Transfer[](n);
        bytes32[] memory postRoots = new bytes32[](n);
        LedgerModel.Step[] memory steps = new LedgerModel.Step[](n);
        for (uint256 i = 0; i < n; ++i) {
            txs[i] = _randomTransfer(uint256(keccak256(abi.encode(seed, i))));
            steps[i] = model.applyValid(txs[i]);
            postRoots[i] = steps[i].postRoot;
        }
        uint256 step = lie ? bound(lieStep, 0, n - 1) : seed % n;
        if (lie) postRoots[step] = keccak256(abi.encode("lie", seed));
        vm.prank(lie ? liar : honest);
        uint256 id = scc.propose(head, txs, postRoots);
        ids.push(id);
        isLie[id] = lie;
        if (!lie) _save(postRoots[n - 1]);
        _proofOf[id] = abi.encode(_proof(id, head, txs, postRoots, steps, step));
    }

    function _randomTransfer(uint256 r) internal view returns (IStateCommitmentChain.Transfer memory t) {
        uint256 f = r % 3;
        uint256 to = (f + 1 + ((r >> 8) % 2)) % 3;
        uint128 amount = uint128((r >> 16) % (uint256(model.balanceOf(_who[f])) + 1));
        uint64 nonce = model.nonceOf(_who[f]);
        bytes32 digest = model.transferDigest(block.chainid, address(scc), _who[f], _who[to], amount, nonce);
        (uint8 v, bytes32 rr, bytes32 s) = vm.sign(_pks[f], digest);
        t = IStateCommitmentChain.Transfer(
            _who[f],
            _who[to],
            amount,
            nonce,
            rr,
            bytes32(uint256(s) | (uint256(v - 27) << 255))
        );
    }

    function _proof(
        uint256 id,
        bytes32 prev,
        IStateCommitmentChain.Transfer[] memory txs,
        bytes32[] memory postRoots,
        LedgerModel.Step[] memory steps,
        uint256 step
    ) internal pure returns (IStateCommitmentChain.FraudProof memory p) {
        p.commitmentId = id;
        p.step = step;
        p.transfer = txs[step];
        p.preStateRoot = step == 0 ? prev : postRoots[step - 1];
        p.postStateRoot = postRoots[step];
        p.stepSiblings = _stepSiblings(prev, txs, postRoots, step);
        p.from = steps[step].from;
        p.to = steps[step].to;
    }

    function _stepSiblings(
        bytes32 prev,
        IStateCommitmentChain.Transfer[] memory txs,
        bytes32[] memory postRoots,
        uint256 step
    ) internal pure returns (bytes32[] memory siblings) {
        uint256 width = 1;
        uint256 depth = 0;
        while (width < txs.length) {
            width <<= 1;
            ++depth;
        }
        bytes32[] memory nodes = new bytes32[](width);
        for (uint256 i = 0; i < txs.length; ++i) {
            nodes[i] = keccak256(
                abi.encode(i == 0 ? prev : postRoots[i - 1], keccak256(abi.encode(txs[i])), postRoots[i])
            );
        }
        siblings = new bytes32[](depth);
        for (uint256 level = 0; level < depth; ++level) {
            siblings[level] = nodes[(step >> level) ^ 1];
            width >>= 1;
            for (uint256 i = 0; i < width; ++i)
                nodes[i] = keccak256(abi.encodePacked(nodes[2 * i], nodes[2 * i + 1]));
        }
    }

    function _save(bytes32 root) internal {
        Snapshot storage s = _states[root];
        s.known = true;
        for (uint256 i = 0; i < 3; ++i) {
            s.balances[i] = model.balanceOf(_who[i]);
            s.nonces[i] = model.nonceOf(_who[i]);
        }
    }

    function _restore(Snapshot storage s) internal {
        for (uint256 i = 0; i < 3; ++i) model.setAccount(_who[i], s.balances[i], s.nonces[i]);
    }

    /// @dev Records every commitment that is Final now (at most ids.length, which one run keeps small).
    function _recordFinal() internal {
        for (uint256 i = 0; i < ids.length; ++i) {
            uint256 id = ids[i];
            if (scc.stateOf(id) == IStateCommitmentChain.CommitmentState.Final && !_finalRecorded[id]) {
                _finalRecorded[id] = true;
                finalSeen.push(id);
            }
        }
    }

    mapping(uint256 commitmentId => bool) internal _finalRecorded;
}
