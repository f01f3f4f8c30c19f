// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {Versioned} from "../upgrades/Versioned.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";

import {IAuditLog} from "../interfaces/IAuditLog.sol";
import {IStakeManager} from "../interfaces/IStakeManager.sol";
import {IStateCommitmentChain} from "../interfaces/IStateCommitmentChain.sol";
import {IValidatorSet} from "../interfaces/IValidatorSet.sol";
import {LedgerTransition} from "./libraries/LedgerTransition.sol";
import {SparseMerkle} from "./libraries/SparseMerkle.sol";

// Time is the point here: the challenge window is minutes to days long; a validator's ~15 s of timestamp
// leeway is negligible against it.
// solhint-disable not-rely-on-time

/// @title StateCommitmentChain
/// @notice Optimistic state commitments of the minimal ledger, single-step fraud proofs and automatic rollback
///         (see IStateCommitmentChain and docs/contracts/StateCommitmentChain.md).
/// @dev The chain is `position => commitment id` plus a length: a rollback only shortens the length, and a
///      discarded id is recognised because its position is past the length or now holds another id. `finalAt`
///      never decreases along the chain, so a final commitment is never behind a pending one, and a rollback
///      (which needs a pending commitment) never discards a final one.
///
///      Roles it needs elsewhere: the StakeManager's SLASHER_ROLE and JAILER_ROLE (fraud slashes and jails the
///      proposer) and the AuditLog's APPENDER_ROLE (rollbacks and failed challenges are recorded).
contract StateCommitmentChain is
    IStateCommitmentChain,
    Versioned,
    AccessControlUpgradeable,
    ReentrancyGuardTransient
{
    using SafeERC20 for IERC20;

    /// @notice Sets parameters (the DAO timelock).
    bytes32 public constant PARAMETER_ROLE = keccak256("PARAMETER_ROLE");

    /// @notice Audit-log kinds.
    bytes32 public constant FRAUD_ROLLBACK = keccak256("FRAUD_ROLLBACK");
    bytes32 public constant FRAUD_CHALLENGE_FAILED = keccak256("FRAUD_CHALLENGE_FAILED");
    bytes32 public constant FRAUD_PARAMETERS = keccak256("FRAUD_PARAMETERS");

    uint128 private constant MAX_AMOUNT_PARAM = 1e24;
    uint32 private constant MIN_CHALLENGE_WINDOW = 1 minutes;
    uint32 private constant MAX_CHALLENGE_WINDOW = 30 days;
    uint16 private constant BPS = 10_000;
    uint16 private constant MAX_BATCH_SIZE = 1024;
    /// @notice How long a proven-fraudulent proposer is jailed in the StakeManager (from the proof).
    uint64 public constant FRAUD_JAIL_DURATION = 30 days;

    /// @custom:storage-location erc7201:healnet.storage.StateCommitmentChain
    /// @dev Layout: one slot per dependency address (`treeDepth` packs with `treasury`); `params` takes two
    ///      slots (uint128 + uint128, then uint32 + 3 × uint16).
    struct StateCommitmentChainStorage {
        IERC20 token;
        address treasury;
        uint8 treeDepth;
        IValidatorSet set;
        IStakeManager stake;
        IAuditLog audit;
        Parameters params;
        bytes32 genesisStateRoot;
        uint256 count;
        uint256 length;
        uint256 rollbacks;
        mapping(uint256 commitmentId => Commitment) commitments;
        mapping(uint256 position => uint256 commitmentId) chain;
    }

    // keccak256(abi.encode(uint256(keccak256("healnet.storage.StateCommitmentChain")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_LOCATION =
        0x2cfd3474884056ca18add4054a5512d21d3f26dc5f489851cfa22354127e7900;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initializes the proxy.
    /// @param admin Holds DEFAULT_ADMIN_ROLE (grants the parameter role).
    /// @param stakeToken The token challenge bonds are paid in (the HealToken).
    /// @param treasuryAddress Receives forfeited challenge bonds.
    /// @param set The validator set (who may propose).
    /// @param stake The StakeManager (slashes and jails fraudulent proposers; this contract needs its SLASHER_ROLE
    ///        and JAILER_ROLE).
    /// @param audit The AuditLog (this contract needs its APPENDER_ROLE).
    /// @param ledger The genesis state root and the tree's depth (1 .. 160), fixed for the life of the chain.
    /// @param params The initial parameters (within bounds).
    function initialize(
        address admin,
        IERC20 stakeToken,
        address treasuryAddress,
        IValidatorSet set,
        IStakeManager stake,
        IAuditLog audit,
        LedgerConfig calldata ledger,
        Parameters calldata params
    ) external initializer {
        if (admin == address(0)) revert StateCommitmentChainZeroAddress("admin");
        if (address(stakeToken) == address(0)) revert StateCommitmentChainZeroAddress("token");
        if (treasuryAddress == address(0)) revert StateCommitmentChainZeroAddress("treasury");
        if (address(set) == address(0)) revert StateCommitmentChainZeroAddress("set");
        if (address(stake) == address(0)) revert StateCommitmentChainZeroAddress("stake");
        if (address(audit) == address(0)) revert StateCommitmentChainZeroAddress("audit");
        if (ledger.treeDepth == 0 || ledger.treeDepth > SparseMerkle.MAX_DEPTH) {
            revert StateCommitmentChainInvalidParameter(
                "treeDepth",
                ledger.treeDepth,
                1,
                SparseMerkle.MAX_DEPTH
            );
        }
        __AccessControl_init();
        StateCommitmentChainStorage storage $ = _storage();
        $.token = stakeToken;
        $.treasury = treasuryAddress;
        $.treeDepth = ledger.treeDepth;
        $.set = set;
        $.stake = stake;
        $.audit = audit;
        $.genesisStateRoot = ledger.genesisStateRoot;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setParameters(params);
    }

    /// @inheritdoc IStateCommitmentChain
    function propose(
        bytes32 prevStateRoot,
        Transfer[] calldata txs,
        bytes32[] calldata postRoots
    ) external nonReentrant returns (uint256 commitmentId) {
        StateCommitmentChainStorage storage $ = _storage();
        if (!$.set.isActive(msg.sender)) revert StateCommitmentChainNotActiveValidator(msg.sender);
        uint256 n = txs.length;
        uint16 maxBatch = $.params.maxBatchSize;
        if (n == 0 || n > maxBatch || postRoots.length != n) {
            revert StateCommitmentChainInvalidBatch(n, postRoots.length, maxBatch);
        }
        uint256 length = $.length;
        bytes32 head = _rootAt($, length);
        if (prevStateRoot != head) revert StateCommitmentChainWrongPrevRoot(head, prevStateRoot);

        commitmentId = _append($, length, prevStateRoot, txs, postRoots);
    }

    /// @inheritdoc IStateCommitmentChain
    /// @dev The audit entry of a rollback: kind FRAUD_ROLLBACK, actor the challenger, subject the proposer,
    ///      refId the commitment, dataHash keccak256(abi.encode(step, claimedRoot, computedRoot, headStateRoot,
    ///      discarded)). A failed challenge: FRAUD_CHALLENGE_FAILED, dataHash keccak256(abi.encode(step, bond)).
    ///      The proposer's slash is recorded in the StakeManager's `Slashed` event with incidentId = the
    ///      commitment id (a namespace of its own, distinct from the validator set's incidents).
    function challenge(FraudProof calldata proof) external nonReentrant returns (bool fraud) {
        StateCommitmentChainStorage storage $ = _storage();
        uint256 id = proof.commitmentId;
        Commitment storage c = _existing($, id);
        CommitmentState state = _stateOf($, id, c);
        if (state != CommitmentState.Pending) revert StateCommitmentChainNotChallengeable(id, state);
        _checkStep(c, proof);
        (bytes32 computed, ) = LedgerTransition.applyTransfer(
            ledgerDomainSeparator(),
            proof.preStateRoot,
            proof.transfer,
            proof.from,
            proof.to,
            $.treeDepth
        );
        if (computed != proof.postStateRoot) {
            _proveFraud($, id, c, proof, computed);
            return true;
        }
        uint128 bond = $.params.challengeBond;
        emit ChallengeFailed(id, msg.sender, proof.step, bond);
        _audit($, FRAUD_CHALLENGE_FAILED, c.proposer, id, keccak256(abi.encode(proof.step, bond)));
        if (bond != 0) $.token.safeTransferFrom(msg.sender, $.treasury, bond);
        return false;
    }

    /// @inheritdoc IStateCommitmentChain
    function setParameters(Parameters calldata params) external onlyRole(PARAMETER_ROLE) {
        _setParameters(params);
        _audit(_storage(), FRAUD_PARAMETERS, address(this), 0, keccak256(abi.encode(params)));
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IStateCommitmentChain
    function commitment(uint256 commitmentId) external view returns (Commitment memory) {
        return _existing(_storage(), commitmentId);
    }

    /// @inheritdoc IStateCommitmentChain
    function stateOf(uint256 commitmentId) external view returns (CommitmentState) {
        StateCommitmentChainStorage storage $ = _storage();
        Commitment storage c = $.commitments[commitmentId];
        if (c.proposer == address(0)) return CommitmentState.None;
        return _stateOf($, commitmentId, c);
    }

    /// @inheritdoc IStateCommitmentChain
    function commitmentCount() external view returns (uint256) {
        return _storage().count;
    }

    /// @inheritdoc IStateCommitmentChain
    function chainLength() external view returns (uint256) {
        return _storage().length;
    }

    /// @inheritdoc IStateCommitmentChain
    function commitmentAt(uint256 position) external view returns (uint256) {
        StateCommitmentChainStorage storage $ = _storage();
        if (position > $.length) return 0;
        return $.chain[position];
    }

    /// @inheritdoc IStateCommitmentChain
    function headStateRoot() external view returns (bytes32) {
        StateCommitmentChainStorage storage $ = _storage();
        return _rootAt($, $.length);
    }

    /// @inheritdoc IStateCommitmentChain
    function lastFinalPosition() public view returns (uint256) {
        StateCommitmentChainStorage storage $ = _storage();
        // Binary search for the last position whose finalAt has passed (finalAt never decreases along the chain).
        uint256 lo = 0;
        uint256 hi = $.length;
        // bounded: O(log chainLength) iterations (at most 64, positions fit in 64 bits)
        while (lo < hi) {
            uint256 mid = (lo + hi + 1) / 2;
            if ($.commitments[$.chain[mid]].finalAt <= block.timestamp) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    /// @inheritdoc IStateCommitmentChain
    function lastFinalStateRoot() external view returns (bytes32) {
        return _rootAt(_storage(), lastFinalPosition());
    }

    /// @inheritdoc IStateCommitmentChain
    function ledgerDomainSeparator() public view returns (bytes32) {
        // Computed, not cached: it follows the chain id (a fork) and is the proxy's own address.
        return LedgerTransition.domainSeparator(block.chainid, address(this));
    }

    /// @inheritdoc IStateCommitmentChain
    function genesisStateRoot() external view returns (bytes32) {
        return _storage().genesisStateRoot;
    }

    /// @inheritdoc IStateCommitmentChain
    function treeDepth() external view returns (uint256) {
        return _storage().treeDepth;
    }

    /// @inheritdoc IStateCommitmentChain
    function rollbackCount() external view returns (uint256) {
        return _storage().rollbacks;
    }

    /// @inheritdoc IStateCommitmentChain
    function parameters() external view returns (Parameters memory) {
        return _storage().params;
    }

    /// @inheritdoc IStateCommitmentChain
    function token() external view returns (address) {
        return address(_storage().token);
    }

    /// @inheritdoc IStateCommitmentChain
    function treasury() external view returns (address) {
        return _storage().treasury;
    }

    // ------------------------------------------------------------------ internals

    function _storage() private pure returns (StateCommitmentChainStorage storage $) {
        // ERC-7201: point the struct at its namespaced slot.
        // solhint-disable-next-line no-inline-assembly
        assembly {
            $.slot := STORAGE_LOCATION
        }
    }

    function _existing(
        StateCommitmentChainStorage storage $,
        uint256 commitmentId
    ) private view returns (Commitment storage c) {
        c = $.commitments[commitmentId];
        if (c.proposer == address(0)) revert StateCommitmentChainUnknownCommitment(commitmentId);
    }

    function _stateOf(
        StateCommitmentChainStorage storage $,
        uint256 commitmentId,
        Commitment storage c
    ) private view returns (CommitmentState) {
        uint256 position = c.position;
        if (position > $.length || $.chain[position] != commitmentId) return CommitmentState.Discarded;
        if (block.timestamp >= c.finalAt) return CommitmentState.Final;
        return CommitmentState.Pending;
    }

    /// @dev The state root after the chain's first `position` commitments (the genesis root at 0).
    function _rootAt(StateCommitmentChainStorage storage $, uint256 position) private view returns (bytes32) {
        if (position == 0) return $.genesisStateRoot;
        return $.commitments[$.chain[position]].newStateRoot;
    }

    /// @dev Stores the commitment at position `length + 1` and emits StateBatchAppended.
    function _append(
        StateCommitmentChainStorage storage $,
        uint256 length,
        bytes32 prevStateRoot,
        Transfer[] calldata txs,
        bytes32[] calldata postRoots
    ) private returns (uint256 commitmentId) {
        uint64 finalAt = uint64(block.timestamp) + $.params.challengeWindow;
        if (length != 0) {
            uint64 parentFinalAt = $.commitments[$.chain[length]].finalAt;
            if (parentFinalAt > finalAt) finalAt = parentFinalAt;
        }
        commitmentId = ++$.count;
        // A chain holds fewer than 2^64 commitments (one per transaction), so the position fits.
        uint64 position = uint64(length + 1);
        Commitment storage c = $.commitments[commitmentId];
        c.prevStateRoot = prevStateRoot;
        c.newStateRoot = postRoots[txs.length - 1];
        c.txBatchHash = keccak256(abi.encode(txs));
        c.stepsRoot = _stepsRoot(prevStateRoot, txs, postRoots);
        c.proposer = msg.sender;
        c.proposedAt = uint64(block.timestamp);
        // txs.length <= MAX_BATCH_SIZE (1,024), checked by propose, so it fits in 32 bits.
        c.txCount = uint32(txs.length);
        c.finalAt = finalAt;
        c.position = position;
        $.chain[position] = commitmentId;
        $.length = position;
        emit StateBatchAppended(
            commitmentId,
            msg.sender,
            position,
            prevStateRoot,
            c.newStateRoot,
            c.txBatchHash,
            c.stepsRoot,
            txs.length,
            finalAt
        );
    }

    /// @dev The leaf of step `i`: keccak256(abi.encode(preRoot, keccak256(abi.encode(tx)), postRoot)).
    function _stepLeaf(bytes32 pre, Transfer calldata t, bytes32 post) private pure returns (bytes32) {
        return keccak256(abi.encode(pre, keccak256(abi.encode(t)), post));
    }

    /// @dev Merkle root of the steps, zero-padded to the next power of two (a plain keccak tree, no empty-node
    ///      shortcut: every level is hashed). One step: the root is its leaf.
    function _stepsRoot(
        bytes32 prevStateRoot,
        Transfer[] calldata txs,
        bytes32[] calldata postRoots
    ) private pure returns (bytes32) {
        uint256 n = txs.length;
        uint256 width = 1;
        // bounded: at most log2(MAX_BATCH_SIZE) = 10 doublings
        while (width < n) width <<= 1;
        bytes32[] memory nodes = new bytes32[](width);
        bytes32 pre = prevStateRoot;
        // bounded: n <= maxBatchSize <= MAX_BATCH_SIZE (1,024), checked by propose
        for (uint256 i = 0; i < n; ++i) {
            nodes[i] = _stepLeaf(pre, txs[i], postRoots[i]);
            pre = postRoots[i];
        }
        // bounded: fewer than 2 × width <= 2,048 hashes in all
        while (width > 1) {
            width >>= 1;
            for (uint256 i = 0; i < width; ++i) {
                nodes[i] = Hashes.efficientKeccak256(nodes[2 * i], nodes[2 * i + 1]);
            }
        }
        return nodes[0];
    }

    /// @dev Checks that the proof's step is step `proof.step` of the commitment.
    function _checkStep(Commitment storage c, FraudProof calldata proof) private view {
        uint256 n = c.txCount;
        uint256 depth = 0;
        // bounded: at most log2(MAX_BATCH_SIZE) = 10 iterations
        while ((uint256(1) << depth) < n) ++depth;
        bytes32[] calldata siblings = proof.stepSiblings;
        bool valid = proof.step < n && siblings.length == depth;
        if (valid) {
            bytes32 node = _stepLeaf(proof.preStateRoot, proof.transfer, proof.postStateRoot);
            // bounded: depth <= 10
            for (uint256 level = 0; level < depth; ++level) {
                node =
                    (proof.step >> level) & 1 == 0
                        ? Hashes.efficientKeccak256(node, siblings[level])
                        : Hashes.efficientKeccak256(siblings[level], node);
            }
            valid = node == c.stepsRoot;
        }
        if (!valid) revert StateCommitmentChainInvalidStepProof(proof.commitmentId, proof.step);
    }

    /// @dev Discards the commitment and every later one, slashes its proposer, credits the challenger.
    function _proveFraud(
        StateCommitmentChainStorage storage $,
        uint256 id,
        Commitment storage c,
        FraudProof calldata proof,
        bytes32 computed
    ) private {
        (bytes32 head, uint256 discarded) = _rollback($, id, c);
        _jailProposer($, id, c.proposer);
        (uint256 slashed, uint256 reward) = _slashProposer($, id, c);
        emit FraudProven(
            id,
            msg.sender,
            c.proposer,
            proof.step,
            proof.postStateRoot,
            computed,
            slashed,
            reward
        );
        bytes32 dataHash = keccak256(abi.encode(proof.step, proof.postStateRoot, computed, head, discarded));
        _audit($, FRAUD_ROLLBACK, c.proposer, id, dataHash);
    }

    /// @dev Moves the chain's length back to just before the commitment (O(1): nothing is deleted).
    function _rollback(
        StateCommitmentChainStorage storage $,
        uint256 id,
        Commitment storage c
    ) private returns (bytes32 head, uint256 discarded) {
        uint256 position = c.position;
        discarded = $.length - position + 1;
        $.length = position - 1;
        ++$.rollbacks;
        head = c.prevStateRoot;
        emit StateRolledBack(id, position - 1, head, position, discarded);
    }

    /// @dev Jails the proposer for FRAUD_JAIL_DURATION (before the slash, so that the validator set removes it
    ///      from the active set as Jailed and promotes a backup). Caught like the slash: a failing jail (e.g. a
    ///      deployment without this contract's JAILER_ROLE) must not undo the rollback; out of gas is not caught.
    function _jailProposer(StateCommitmentChainStorage storage $, uint256 id, address proposer) private {
        uint256 gasBefore = gasleft();
        try $.stake.jail(proposer, uint64(block.timestamp) + FRAUD_JAIL_DURATION) {
            return;
        } catch (bytes memory reason) {
            _rethrowIfEvasive(reason, gasBefore);
            emit ProposerJailFailed(id, proposer, reason);
        }
    }

    /// @dev Slashes the proposer's stake slashable at proposal time; the challenger gets the capped reward. A
    ///      reverting slash must not undo the rollback (the suite's set never refuses one, but another observer
    ///      or a missing role could), so it is caught and reported, unless it ran out of gas: a call
    ///      that runs out of gas leaves the caller at most 1/64 of the gas it had, and a challenger must not be
    ///      able to skip the slash by sending too little gas.
    function _slashProposer(
        StateCommitmentChainStorage storage $,
        uint256 id,
        Commitment storage c
    ) private returns (uint256 slashed, uint256 reward) {
        Parameters memory p = $.params;
        address proposer = c.proposer;
        uint256 gasBefore = gasleft();
        try
            $.stake.slash(
                proposer,
                p.fraudSlashBps,
                c.proposedAt,
                msg.sender,
                p.challengerRewardBps,
                p.challengerRewardCap,
                id
            )
        returns (uint256 s, uint256 r) {
            return (s, r);
        } catch (bytes memory reason) {
            _rethrowIfEvasive(reason, gasBefore);
            emit ProposerSlashFailed(id, proposer, reason);
            return (0, 0);
        }
    }

    /// @dev A caught jail or slash failure is reported and the rollback stands, except for the two failures a
    ///      challenger can cause on purpose to spare the proposer: running the call out of gas (it leaves the
    ///      caller at most 1/64 of the gas it had) and calling `challenge` from inside the StakeManager (e.g. from
    ///      a stake token's transfer hook during a payout), where the StakeManager's reentrancy guard refuses
    ///      the slash. Both revert the whole challenge instead, so the proof can be sent again cleanly.
    function _rethrowIfEvasive(bytes memory reason, uint256 gasBefore) private view {
        uint256 left = gasleft();
        if (left < gasBefore / 63) revert StateCommitmentChainSlashOutOfGas(left);
        if (reason.length == 4 && bytes4(reason) == ReentrancyGuardReentrantCall.selector) {
            revert ReentrancyGuardReentrantCall();
        }
    }

    function _audit(
        StateCommitmentChainStorage storage $,
        bytes32 kind,
        address subject,
        uint256 refId,
        bytes32 dataHash
    ) private {
        $.audit.append(kind, msg.sender, subject, refId, dataHash);
    }

    function _setParameters(Parameters calldata p) private {
        if (p.challengeBond > MAX_AMOUNT_PARAM) {
            revert StateCommitmentChainInvalidParameter(
                "challengeBond",
                p.challengeBond,
                0,
                MAX_AMOUNT_PARAM
            );
        }
        if (p.challengerRewardCap > MAX_AMOUNT_PARAM) {
            revert StateCommitmentChainInvalidParameter(
                "challengerRewardCap",
                p.challengerRewardCap,
                0,
                MAX_AMOUNT_PARAM
            );
        }
        if (p.challengeWindow < MIN_CHALLENGE_WINDOW || p.challengeWindow > MAX_CHALLENGE_WINDOW) {
            revert StateCommitmentChainInvalidParameter(
                "challengeWindow",
                p.challengeWindow,
                MIN_CHALLENGE_WINDOW,
                MAX_CHALLENGE_WINDOW
            );
        }
        if (p.fraudSlashBps == 0 || p.fraudSlashBps > BPS) {
            revert StateCommitmentChainInvalidParameter("fraudSlashBps", p.fraudSlashBps, 1, BPS);
        }
        if (p.challengerRewardBps > BPS) {
            revert StateCommitmentChainInvalidParameter("challengerRewardBps", p.challengerRewardBps, 0, BPS);
        }
        if (p.maxBatchSize == 0 || p.maxBatchSize > MAX_BATCH_SIZE) {
            revert StateCommitmentChainInvalidParameter("maxBatchSize", p.maxBatchSize, 1, MAX_BATCH_SIZE);
        }
        _storage().params = p;
        emit ParametersUpdated(p);
    }
}
