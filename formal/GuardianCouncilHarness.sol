// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title GuardianCouncilHarness
/// @notice SMTChecker (CHC) harness for GuardianCouncil's approval counting, queuing, execution flag and
///         guardian-set changes, with exactly the state transitions of `propose`, `approve` (`_countApproval`),
///         `execute`, `veto`, `_stateOf` and `changeGuardians` (`_applyGuardianChange`, `_removeGuardian`),
///         minus what CHC cannot model: the ERC-7201 storage pointer, action encoding and validation, the
///         external call an execution makes, the AuditLog, EIP-712 signatures (`approveBySig` counts through
///         the same `_countApproval`), events.
/// @dev One proposal: proposals do not interact except through the guardian set, the threshold and the epoch,
///      which are modelled, so what holds for an arbitrary proposal holds for all of them. The guardian list is
///      a set with a count (the real contract's array and index map stay consistent by its own tests).
///      `executions` is a ghost counting successful executions. Compiled only by tools/smt/run.ts and by the
///      differential test test/formal/GuardianCouncilHarness.t.sol, which replays the same operations on the
///      real GuardianCouncil. Keep the logic here line for line with contracts/guardians/GuardianCouncil.sol.
contract GuardianCouncilHarness {
    // No named constants: solc's BMC engine does not see their values (it reads them as free variables),
    // so the bounds are literals: 32 = GuardianCouncil.32.

    enum Outcome {
        None,
        Executed,
        Vetoed
    }

    uint64 public immutable operationalDelay;
    uint64 public immutable proposalLifetime;

    // The guardian set.
    mapping(address account => bool) public isGuardian;
    uint256 public guardianCount;
    uint16 public threshold;
    uint64 public guardianEpoch;

    // The proposal (ProposalData's fields that matter here).
    bool public exists;
    uint64 public proposalEpoch;
    uint16 public approvals;
    uint64 public queuedAt;
    uint64 public executableAt;
    uint64 public expiresAt;
    Outcome public outcome;
    mapping(address guardian => uint64 epoch) public approvalEpoch;

    // Ghost: successful executions of the proposal.
    uint256 public executions;

    /// @param first The first guardians (distinct, non-zero), like `initialize`.
    constructor(address[] memory first, uint16 threshold_, uint64 operationalDelay_, uint64 lifetime_) {
        operationalDelay = operationalDelay_;
        proposalLifetime = lifetime_;
        for (uint256 i = 0; i < first.length; ++i) {
            if (first[i] == address(0) || isGuardian[first[i]]) revert();
            isGuardian[first[i]] = true;
        }
        guardianCount = first.length;
        if (threshold_ == 0 || threshold_ > first.length || first.length > 32) revert();
        threshold = threshold_;
        guardianEpoch = 1;
    }

    /// @notice GuardianCouncil.propose (an operational-tier action): the proposer's approval counts.
    function propose() external {
        require(_invariantsHold() && _environment());
        if (!isGuardian[msg.sender]) revert();
        if (exists) revert(); // a fresh id
        exists = true;
        proposalEpoch = guardianEpoch;
        expiresAt = uint64(block.timestamp) + proposalLifetime;
        _countApproval(msg.sender);
        assert(_invariantsHold());
    }

    /// @notice GuardianCouncil.approve.
    function approve() external {
        require(_invariantsHold() && _environment());
        if (!isGuardian[msg.sender]) revert();
        if (_state() != State.Collecting) revert();
        if (approvalEpoch[msg.sender] == proposalEpoch) revert();
        _countApproval(msg.sender);
        assert(_invariantsHold());
    }

    /// @notice GuardianCouncil.execute: marks the proposal executed, then (in the real contract) calls out.
    function execute() external {
        require(_invariantsHold() && _environment());
        if (_state() != State.Ready) revert();
        outcome = Outcome.Executed;
        ++executions;
        // A proposal executes only with at least M approvals of the current guardian set ...
        assert(approvals >= threshold && proposalEpoch == guardianEpoch);
        // ... at most once ...
        assert(executions == 1);
        // ... and never before its delay has passed since it was queued.
        assert(queuedAt != 0 && block.timestamp >= executableAt && executableAt >= queuedAt);
        assert(_invariantsHold());
    }

    /// @notice GuardianCouncil.veto.
    function veto() external {
        require(_invariantsHold() && _environment());
        if (!isGuardian[msg.sender]) revert();
        if (_state() != State.Queued) revert();
        outcome = Outcome.Vetoed;
        assert(_invariantsHold());
    }

    /// @notice GuardianCouncil.changeGuardians (reached only through an executed proposal): removes, then
    ///         adds, then checks 1 <= M <= N <= 32 and starts a new epoch.
    function changeGuardians(
        address[] calldata add,
        address[] calldata remove,
        uint16 newThreshold
    ) external {
        require(_invariantsHold() && _environment());
        // One epoch per executed change, each after the governance delay (>= 1 day): 2^64 cannot happen.
        require(guardianEpoch < type(uint64).max);
        for (uint256 i = 0; i < remove.length; ++i) {
            if (!isGuardian[remove[i]]) revert();
            isGuardian[remove[i]] = false;
            --guardianCount;
        }
        for (uint256 i = 0; i < add.length; ++i) {
            address account = add[i];
            if (account == address(0) || account == address(this) || isGuardian[account]) revert();
            isGuardian[account] = true;
            ++guardianCount;
        }
        uint256 count = guardianCount;
        if (newThreshold == 0 || newThreshold > count || count > 32) revert();
        threshold = newThreshold;
        unchecked {
            ++guardianEpoch;
        }
        // 1 <= M <= N <= MAX_GUARDIANS after every change of the guardian set.
        assert(threshold >= 1 && threshold <= guardianCount && guardianCount <= 32);
        assert(_invariantsHold());
    }

    enum State {
        None,
        Collecting,
        Queued,
        Ready,
        Executed,
        Vetoed,
        Expired
    }

    /// @notice GuardianCouncil.stateOf for the proposal.
    function state() external view returns (State) {
        return _state();
    }

    /// @dev GuardianCouncil._stateOf.
    function _state() private view returns (State) {
        if (!exists) return State.None;
        if (outcome == Outcome.Executed) return State.Executed;
        if (outcome == Outcome.Vetoed) return State.Vetoed;
        if (proposalEpoch != guardianEpoch || block.timestamp > expiresAt) return State.Expired;
        if (queuedAt == 0) return State.Collecting;
        if (block.timestamp < executableAt) return State.Queued;
        return State.Ready;
    }

    /// @dev GuardianCouncil._countApproval.
    function _countApproval(address guardian) private {
        approvalEpoch[guardian] = proposalEpoch;
        uint16 count;
        unchecked {
            count = approvals + 1;
        }
        approvals = count;
        if (queuedAt == 0 && count >= threshold) {
            uint64 at = uint64(block.timestamp);
            queuedAt = at;
            executableAt = at + operationalDelay;
        }
    }

    /// @dev Assumed, not proved: the chain's clock is past 0 and before 2^40 s (year ~36,800), and the delays
    ///      are within GuardianCouncil's bounds (MAX_OPERATIONAL_DELAY = 2 days, MAX_PROPOSAL_LIFETIME = 30 days).
    function _environment() private view returns (bool) {
        return
            block.timestamp != 0 &&
            block.timestamp < 2 ** 40 &&
            operationalDelay <= 2 days &&
            proposalLifetime <= 30 days;
    }

    /// @dev The properties proved. Every operation requires them on entry and asserts them on exit; the
    ///      constructor establishes them, so by induction they hold in every reachable state.
    function _invariantsHold() private view returns (bool) {
        bool current = exists && outcome == Outcome.None && proposalEpoch == guardianEpoch;
        return
            // 1 <= M <= N <= MAX_GUARDIANS (32).
            threshold >= 1 &&
            threshold <= guardianCount &&
            guardianCount <= 32 &&
            guardianEpoch >= 1 &&
            // A proposal belongs to a past or the current epoch.
            (!exists || (proposalEpoch >= 1 && proposalEpoch <= guardianEpoch)) &&
            // No proposal, no approvals and no execution.
            (exists || (approvals == 0 && queuedAt == 0 && outcome == Outcome.None)) &&
            // A live proposal is queued exactly when it has M approvals (M cannot change in its epoch).
            (!current || (queuedAt == 0 ? approvals < threshold : approvals >= threshold)) &&
            // Queued: its delay starts when it is queued.
            (queuedAt == 0 || executableAt >= queuedAt) &&
            // The ghost counts executions: one exactly when the outcome is Executed.
            executions == (outcome == Outcome.Executed ? 1 : 0);
    }
}
