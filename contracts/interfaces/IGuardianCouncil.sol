// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IGuardianCouncil
/// @notice M-of-N guardians who approve bounded, expiring recovery actions. A proposal executes after M
///         approvals and its action type's delay tier (emergency pause: none; operational repairs: hours;
///         parameter and guardian-set changes: days); any guardian may veto it during the delay. Approvals are
///         tied to the guardian-set epoch, so any change of the guardian set voids pending approvals. The
///         guardian set and threshold change only through the council's own execution path (Safe's
///         `SelfAuthorized`), and never so that M > N or N = 0.
/// @dev The council holds the GUARDIAN_ROLE of the RecoveryManager; a Safe or the DAO timelock can hold that
///      role instead of (or beside) the council.
interface IGuardianCouncil {
    /// @notice The action a proposal carries, each with its `data` encoding.
    /// @dev Pause: abi.encode(uint64 duration). Unpause: empty. Resync: abi.encode(address validator, uint256
    ///      snapshotId). Reprovision: abi.encode(address validator, string configCid). Forgive: abi.encode(uint256
    ///      incidentId). ForceReplace: abi.encode(address validator). ApproveKeyRotation: abi.encode(address
    ///      validator, address newSigner). UpdateParameters: abi.encode(address target, bytes callData).
    ///      ChangeGuardians: abi.encode(address[] add, address[] remove, uint16 newThreshold).
    ///      AttestSnapshot: abi.encode(uint256 snapshotId). CancelTimelockOperation: abi.encode(address timelock,
    ///      bytes32 operationId): the council calls `TimelockController.cancel(operationId)` on `timelock`, where
    ///      it must hold CANCELLER_ROLE (checked at propose time, with the operation pending), so M of N guardians
    ///      can stop a queued upgrade or any other queued operation during the timelock's delay (emergency
    ///      tier: no council delay). Appended last: the stored action types of older proposals keep their values.
    enum ActionType {
        Pause,
        Unpause,
        Resync,
        Reprovision,
        Forgive,
        ForceReplace,
        ApproveKeyRotation,
        UpdateParameters,
        ChangeGuardians,
        AttestSnapshot,
        CancelTimelockOperation
    }

    /// @notice Delay tiers.
    enum Tier {
        Emergency,
        Operational,
        Governance
    }

    /// @notice A proposal's state, derived from its timestamps (never stored).
    /// @dev Collecting: fewer than M valid approvals. Queued: M approvals, delay running (vetoable).
    ///      Ready: executable. Executed, Vetoed: final. Expired: not executed by `expiresAt`, or its guardian
    ///      epoch is no longer current (the guardian set changed).
    enum ProposalState {
        Unknown,
        Collecting,
        Queued,
        Ready,
        Executed,
        Vetoed,
        Expired
    }

    /// @notice A proposal.
    /// @param actionType What it does.
    /// @param data The action's arguments (see ActionType).
    /// @param proposer The guardian who proposed it.
    /// @param guardianEpoch The guardian-set epoch it belongs to.
    /// @param approvals Distinct current guardians who approved it.
    /// @param proposedAt When it was proposed.
    /// @param queuedAt When it reached the threshold (0 before).
    /// @param expiresAt After this it can no longer be approved or executed.
    /// @param executed Whether it executed.
    /// @param vetoed Whether it was vetoed.
    struct Proposal {
        ActionType actionType;
        bytes data;
        address proposer;
        uint64 guardianEpoch;
        uint16 approvals;
        uint64 proposedAt;
        uint64 queuedAt;
        uint64 expiresAt;
        bool executed;
        bool vetoed;
    }

    /// @notice A guardian's off-chain EIP-712 approval: `Approval(uint256 proposalId,bytes32 actionHash,
    ///         uint64 guardianEpoch)` under the domain `("healnet GuardianCouncil", "1", chainid, this)`, where
    ///         `actionHash = keccak256(abi.encode(actionType, keccak256(data)))`. EOA signatures are 65-byte
    ///         (r, s, v); contract guardians (a Safe, ...) are checked with EIP-1271.
    struct GuardianSignature {
        address guardian;
        bytes signature;
    }

    /// @notice Delays per tier, in seconds, and the proposal lifetime.
    /// @param operationalDelay Resync, reprovision, forgive, force replace, key rotation, snapshot attestation
    ///        (bounds: 1 h .. 2 days; default 4 h).
    /// @param governanceDelay Parameters and guardian-set changes (bounds: 1 day .. 30 days; default 2 days).
    /// @param proposalLifetime Seconds from proposal to expiry (bounds: 1 day .. 30 days; default 7 days).
    struct Delays {
        uint32 operationalDelay;
        uint32 governanceDelay;
        uint32 proposalLifetime;
    }

    /// @notice A proposal was made (the proposer's approval is counted).
    event ProposalCreated(
        uint256 indexed proposalId,
        ActionType indexed actionType,
        address indexed proposer,
        bytes data
    );
    /// @notice A guardian approved (on-chain or by signature).
    event ProposalApproved(uint256 indexed proposalId, address indexed guardian, uint256 approvals);
    /// @notice The proposal reached the threshold; it is executable at `executableAt`.
    event ProposalQueued(uint256 indexed proposalId, uint256 executableAt);
    /// @notice The proposal executed.
    event ProposalExecuted(uint256 indexed proposalId, address indexed executor);
    /// @notice A guardian vetoed the proposal.
    event ProposalVetoed(uint256 indexed proposalId, address indexed guardian);
    /// @notice The guardian set or threshold changed; pending approvals of older epochs are void.
    event GuardianSetChanged(uint64 indexed guardianEpoch, address[] guardians, uint16 threshold);
    /// @notice Delays changed.
    event DelaysUpdated(Delays delays);

    /// @notice The caller is not a current guardian.
    error GuardianCouncilNotGuardian(address account);
    /// @notice No such proposal.
    error GuardianCouncilUnknownProposal(uint256 proposalId);
    /// @notice The proposal is not in the state the call needs.
    error GuardianCouncilWrongState(uint256 proposalId, ProposalState state);
    /// @notice The guardian already approved this proposal.
    error GuardianCouncilAlreadyApproved(uint256 proposalId, address guardian);
    /// @notice Signatures must be sorted by strictly ascending guardian address (no duplicates).
    error GuardianCouncilUnsortedSignatures(address previous, address next);
    /// @notice A signature is invalid (wrong signer, malformed, high-s, zero recovery, or EIP-1271 refused).
    error GuardianCouncilInvalidSignature(address guardian);
    /// @notice The guardian set change would leave M > N, N = 0, M = 0, more than MAX_GUARDIANS, or duplicates.
    error GuardianCouncilInvalidGuardianSet(uint256 guardians, uint256 threshold);
    /// @notice The action's data does not decode, or targets something not allowed.
    error GuardianCouncilInvalidAction(ActionType actionType);
    /// @notice A delay is outside its bounds.
    error GuardianCouncilInvalidParameter(bytes32 name, uint256 value, uint256 min, uint256 max);
    /// @notice Only the council itself (through an executed proposal) may call this.
    error GuardianCouncilOnlySelf(address caller);
    /// @notice The execution of the action reverted; the proposal stays executable.
    error GuardianCouncilExecutionFailed(uint256 proposalId, bytes reason);
    /// @notice A CancelTimelockOperation proposal names a timelock operation that is not pending (unknown, already
    ///         executed, or already cancelled): at propose time, or at execute time if it stopped being pending.
    error GuardianCouncilOperationNotPending(address timelock, bytes32 operationId);
    /// @notice An address argument was zero (or, for the recovery manager and the snapshot registry, holds no
    ///         code).
    error GuardianCouncilZeroAddress(bytes32 what);

    /// @notice Proposes an action and counts the caller's approval. Only a guardian.
    /// @return proposalId The new proposal's id (from 1).
    function propose(ActionType actionType, bytes calldata data) external returns (uint256 proposalId);

    /// @notice Approves a Collecting proposal. Only a guardian, once per proposal.
    function approve(uint256 proposalId) external;

    /// @notice Counts EIP-712 approvals collected off-chain. Permissionless (the signatures are the authority):
    ///         signatures sorted by ascending guardian, each from a current guardian that has not approved yet.
    function approveBySig(uint256 proposalId, GuardianSignature[] calldata signatures) external;

    /// @notice Executes a Ready proposal. Permissionless: anyone may call it once the delay has passed.
    function execute(uint256 proposalId) external;

    /// @notice Vetoes a Queued proposal during its delay. Only a guardian.
    function veto(uint256 proposalId) external;

    /// @notice Applies a guardian-set change. Only the council itself, through an executed ChangeGuardians proposal.
    function changeGuardians(address[] calldata add, address[] calldata remove, uint16 newThreshold) external;

    /// @notice Sets the delays. Only the council itself, through an executed UpdateParameters proposal whose
    ///         target is the council.
    function setDelays(Delays calldata delays) external;

    /// @notice The proposal's derived state.
    function stateOf(uint256 proposalId) external view returns (ProposalState);

    /// @notice The proposal.
    function proposal(uint256 proposalId) external view returns (Proposal memory);

    /// @notice When the proposal becomes executable (0 while Collecting).
    function executableAt(uint256 proposalId) external view returns (uint256);

    /// @notice The delay tier of an action type.
    function tierOf(ActionType actionType) external pure returns (Tier);

    /// @notice Whether `account` is a current guardian.
    function isGuardian(address account) external view returns (bool);

    /// @notice The current guardians.
    function guardians() external view returns (address[] memory);

    /// @notice The threshold M.
    function threshold() external view returns (uint16);

    /// @notice The guardian-set epoch (bumped on every change of guardians or threshold).
    function guardianEpoch() external view returns (uint64);

    /// @notice Whether `guardian` approved the proposal in its epoch.
    function hasApproved(uint256 proposalId, address guardian) external view returns (bool);

    /// @notice The EIP-712 digest a guardian signs to approve the proposal.
    function approvalDigest(uint256 proposalId) external view returns (bytes32);

    /// @notice The current delays.
    function delays() external view returns (Delays memory);
}
