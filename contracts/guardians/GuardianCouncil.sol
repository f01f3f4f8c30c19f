// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Versioned} from "../upgrades/Versioned.sol";
import {EIP712Upgradeable} from "@openzeppelin/contracts-upgradeable/utils/cryptography/EIP712Upgradeable.sol";
import {LowLevelCall} from "@openzeppelin/contracts/utils/LowLevelCall.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

import {IAuditLog} from "../interfaces/IAuditLog.sol";
import {IGuardianCouncil} from "../interfaces/IGuardianCouncil.sol";
import {IRecoveryManager} from "../interfaces/IRecoveryManager.sol";
import {ISnapshotRegistry} from "../interfaces/ISnapshotRegistry.sol";

// Delays are hours to days long and lifetimes days long; a block producer's ~15 s of timestamp leeway is
// negligible against them. (solhint reads everything after a directive as rule names, hence two lines.)
// solhint-disable not-rely-on-time

/// @title GuardianCouncil
/// @notice M-of-N guardians approve typed, bounded, expiring recovery actions and execute them through the
///         RecoveryManager (and the SnapshotRegistry for guardian attestations) after the action's delay tier.
/// @dev Upgrade-ready: initializer instead of constructor state, ERC-7201 namespaced storage. There is no owner
///      and no role: the guardians are the authority, and the guardian set, the threshold and the delays change
///      only through calls the council makes to itself from `execute` (Safe's `SelfAuthorized`). States are
///      derived from timestamps and flags (`stateOf`), like OZ TimelockController's operation states. The
///      council must hold APPENDER_ROLE on the AuditLog and GUARDIAN_ROLE on the RecoveryManager, and, for
///      CancelTimelockOperation, CANCELLER_ROLE on the DAO's TimelockController (the guardian veto).
contract GuardianCouncil is IGuardianCouncil, Versioned, EIP712Upgradeable, ReentrancyGuardTransient {
    /// @notice Most guardians the council can have. Bounds every loop over the guardian set (guardians(),
    ///         changeGuardians, initialize) and the number of signatures approveBySig can accept.
    uint256 public constant MAX_GUARDIANS = 32;

    /// @notice The EIP-712 type of a guardian's off-chain approval.
    bytes32 public constant APPROVAL_TYPEHASH = keccak256(
        "Approval(uint256 proposalId,bytes32 actionHash,uint64 guardianEpoch)"
    );

    /// @notice AuditLog kinds.
    bytes32 public constant KIND_PROPOSED = keccak256("GUARDIAN_PROPOSED");
    bytes32 public constant KIND_APPROVED = keccak256("GUARDIAN_APPROVED");
    bytes32 public constant KIND_VETOED = keccak256("GUARDIAN_VETOED");
    bytes32 public constant KIND_EXECUTED = keccak256("GUARDIAN_EXECUTED");
    bytes32 public constant KIND_SET_CHANGED = keccak256("GUARDIAN_SET_CHANGED");

    /// @notice The TimelockController role a CancelTimelockOperation needs the council to hold.
    bytes32 public constant TIMELOCK_CANCELLER_ROLE = keccak256("CANCELLER_ROLE");

    /// @notice Delay bounds (see IGuardianCouncil.Delays).
    uint256 public constant MIN_OPERATIONAL_DELAY = 1 hours;
    uint256 public constant MAX_OPERATIONAL_DELAY = 2 days;
    uint256 public constant MIN_GOVERNANCE_DELAY = 1 days;
    uint256 public constant MAX_GOVERNANCE_DELAY = 30 days;
    uint256 public constant MIN_PROPOSAL_LIFETIME = 1 days;
    uint256 public constant MAX_PROPOSAL_LIFETIME = 30 days;
    /// @notice A proposal's lifetime must exceed the governance delay by at least this much, so that a
    ///         governance proposal (the only way to fix the delays) can always collect approvals and execute.
    uint256 public constant MIN_APPROVAL_WINDOW = 1 days;

    /// @notice Longest `data` payload (a config CID, a parameter call) a proposal may carry.
    uint256 public constant MAX_PAYLOAD_BYTES = 4096;

    /// @dev How a proposal ended; Executed and Vetoed exclude each other (veto needs Queued, execute Ready).
    enum Outcome {
        None,
        Executed,
        Vetoed
    }

    /// @dev A proposal as stored. Layout:
    ///      slot 0: proposer (160) | guardianEpoch (64) | approvals (16) | actionType (8) | outcome (8)
    ///      slot 1: proposedAt (64) | queuedAt (64) | expiresAt (64) | executableAt (64)
    ///      slot 2: actionHash; slot 3: subject (160); slot 4+: data.
    struct ProposalData {
        address proposer;
        uint64 guardianEpoch;
        uint16 approvals;
        ActionType actionType;
        Outcome outcome;
        uint64 proposedAt;
        uint64 queuedAt;
        uint64 expiresAt;
        uint64 executableAt;
        bytes32 actionHash;
        address subject;
        bytes data;
    }

    /// @custom:storage-location erc7201:healnet.storage.GuardianCouncil
    struct GuardianCouncilStorage {
        address[] guardians;
        // position in `guardians` plus one; 0 = not a guardian
        mapping(address account => uint256) guardianIndex;
        // slot: threshold (16) | guardianEpoch (64)
        uint16 threshold;
        uint64 guardianEpoch;
        // slot: operationalDelay (32) | governanceDelay (32) | proposalLifetime (32)
        Delays delays;
        IRecoveryManager recovery;
        ISnapshotRegistry snapshots;
        IAuditLog audit;
        uint256 proposalCount;
        mapping(uint256 proposalId => ProposalData) proposals;
        // the guardian epoch in which the guardian approved (epochs start at 1, so 0 = never)
        mapping(uint256 proposalId => mapping(address guardian => uint64 epoch)) approvalEpoch;
    }

    // keccak256(abi.encode(uint256(keccak256("healnet.storage.GuardianCouncil")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant GUARDIAN_COUNCIL_STORAGE_LOCATION =
        0xfe10ebfaec9779754b818d213f06ba8d4c870c780a138fcb59738fa629042400;

    modifier onlyGuardian() {
        if (_getStorage().guardianIndex[msg.sender] == 0) revert GuardianCouncilNotGuardian(msg.sender);
        _;
    }

    modifier onlySelf() {
        if (msg.sender != address(this)) revert GuardianCouncilOnlySelf(msg.sender);
        _;
    }

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initializes the proxy's state. Makes no AuditLog entry: the council is granted APPENDER_ROLE
    ///         after it is deployed.
    /// @param guardians_ The first guardian set (1 .. MAX_GUARDIANS distinct, non-zero addresses).
    /// @param threshold_ M (1 .. guardians_.length).
    /// @param delays_ The delay tiers and proposal lifetime (within their bounds).
    /// @param recovery_ The RecoveryManager the actions run on (the council holds its GUARDIAN_ROLE).
    /// @param snapshots_ The SnapshotRegistry guardian attestations go to.
    /// @param audit_ The AuditLog (the council holds its APPENDER_ROLE).
    function initialize(
        address[] calldata guardians_,
        uint16 threshold_,
        Delays calldata delays_,
        IRecoveryManager recovery_,
        ISnapshotRegistry snapshots_,
        IAuditLog audit_
    ) external initializer {
        if (address(recovery_).code.length == 0) revert GuardianCouncilZeroAddress("recovery");
        if (address(snapshots_).code.length == 0) revert GuardianCouncilZeroAddress("snapshots");
        if (address(audit_).code.length == 0) revert GuardianCouncilZeroAddress("audit");
        __EIP712_init("healnet GuardianCouncil", "1");
        GuardianCouncilStorage storage $ = _getStorage();
        $.recovery = recovery_;
        $.snapshots = snapshots_;
        $.audit = audit_;
        _setDelays(delays_);
        _applyGuardianChange(guardians_, new address[](0), threshold_);
    }

    // ------------------------------------------------------------------------------------------- proposals

    /// @inheritdoc IGuardianCouncil
    function propose(
        ActionType actionType,
        bytes calldata data
    ) external onlyGuardian nonReentrant returns (uint256 proposalId) {
        _validateAction(actionType, data);
        GuardianCouncilStorage storage $ = _getStorage();
        // Ids count proposals; 2^256 of them cannot be made.
        unchecked {
            proposalId = ++$.proposalCount;
        }
        ProposalData storage p = $.proposals[proposalId];
        p.proposer = msg.sender;
        p.guardianEpoch = $.guardianEpoch;
        p.actionType = actionType;
        p.proposedAt = uint64(block.timestamp);
        p.expiresAt = uint64(block.timestamp) + $.delays.proposalLifetime;
        p.actionHash = keccak256(abi.encode(actionType, keccak256(data)));
        p.subject = _subjectOf(actionType, data);
        p.data = data;
        emit ProposalCreated(proposalId, actionType, msg.sender, data);
        $.audit.append(KIND_PROPOSED, msg.sender, p.subject, proposalId, p.actionHash);
        _countApproval($, proposalId, p, msg.sender);
    }

    /// @inheritdoc IGuardianCouncil
    function approve(uint256 proposalId) external onlyGuardian nonReentrant {
        GuardianCouncilStorage storage $ = _getStorage();
        ProposalData storage p = _collecting($, proposalId);
        if ($.approvalEpoch[proposalId][msg.sender] == p.guardianEpoch) {
            revert GuardianCouncilAlreadyApproved(proposalId, msg.sender);
        }
        _countApproval($, proposalId, p, msg.sender);
    }

    /// @inheritdoc IGuardianCouncil
    /// @dev Sorted, distinct current guardians: at most MAX_GUARDIANS signatures can pass.
    function approveBySig(uint256 proposalId, GuardianSignature[] calldata signatures) external nonReentrant {
        GuardianCouncilStorage storage $ = _getStorage();
        ProposalData storage p = _collecting($, proposalId);
        bytes32 digest = _approvalDigest(proposalId, p);
        address previous = address(0);
        for (uint256 i = 0; i < signatures.length; ++i) {
            address guardian = signatures[i].guardian;
            if (guardian <= previous) revert GuardianCouncilUnsortedSignatures(previous, guardian);
            previous = guardian;
            if ($.guardianIndex[guardian] == 0) revert GuardianCouncilNotGuardian(guardian);
            if ($.approvalEpoch[proposalId][guardian] == p.guardianEpoch) {
                revert GuardianCouncilAlreadyApproved(proposalId, guardian);
            }
            if (!SignatureChecker.isValidSignatureNowCalldata(guardian, digest, signatures[i].signature)) {
                revert GuardianCouncilInvalidSignature(guardian);
            }
            _countApproval($, proposalId, p, guardian);
        }
    }

    /// @inheritdoc IGuardianCouncil
    /// @dev The proposal is marked executed before the external call, and the call runs under the reentrancy
    ///      guard; if the call reverts, the whole transaction reverts and the proposal stays Ready.
    function execute(uint256 proposalId) external nonReentrant {
        GuardianCouncilStorage storage $ = _getStorage();
        ProposalState state = _stateOf($, proposalId);
        if (state != ProposalState.Ready) _revertState(proposalId, state);
        ProposalData storage p = $.proposals[proposalId];
        p.outcome = Outcome.Executed;

        if (p.actionType == ActionType.CancelTimelockOperation) _requirePending(p.data);
        (address target, bytes memory callData) = _callOf($, p.actionType, p.data);
        if (target.code.length == 0) revert GuardianCouncilExecutionFailed(proposalId, "");
        if (!LowLevelCall.callNoReturn(target, callData)) {
            revert GuardianCouncilExecutionFailed(proposalId, LowLevelCall.returnData());
        }
        emit ProposalExecuted(proposalId, msg.sender);
        $.audit.append(KIND_EXECUTED, msg.sender, p.subject, proposalId, p.actionHash);
    }

    /// @inheritdoc IGuardianCouncil
    function veto(uint256 proposalId) external onlyGuardian nonReentrant {
        GuardianCouncilStorage storage $ = _getStorage();
        ProposalState state = _stateOf($, proposalId);
        if (state != ProposalState.Queued) _revertState(proposalId, state);
        ProposalData storage p = $.proposals[proposalId];
        p.outcome = Outcome.Vetoed;
        emit ProposalVetoed(proposalId, msg.sender);
        $.audit.append(KIND_VETOED, msg.sender, p.subject, proposalId, p.actionHash);
    }

    // ------------------------------------------------------------------------------- self-authorized

    /// @inheritdoc IGuardianCouncil
    /// @dev Removes first, then adds. Unknown or repeated removals revert with GuardianCouncilNotGuardian; a
    ///      zero, repeated or existing addition, or the council itself, reverts with
    ///      GuardianCouncilInvalidGuardianSet, as does a result outside 1 <= newThreshold <= N <= MAX_GUARDIANS.
    function changeGuardians(
        address[] calldata add,
        address[] calldata remove,
        uint16 newThreshold
    ) external onlySelf {
        _applyGuardianChange(add, remove, newThreshold);
        GuardianCouncilStorage storage $ = _getStorage();
        $.audit.append(
            KIND_SET_CHANGED,
            address(this),
            address(0),
            $.guardianEpoch,
            keccak256(abi.encode($.guardians, newThreshold))
        );
    }

    /// @inheritdoc IGuardianCouncil
    function setDelays(Delays calldata delays_) external onlySelf {
        _setDelays(delays_);
    }

    // ------------------------------------------------------------------------------------------- views

    /// @inheritdoc IGuardianCouncil
    function stateOf(uint256 proposalId) external view returns (ProposalState) {
        return _stateOf(_getStorage(), proposalId);
    }

    /// @inheritdoc IGuardianCouncil
    function proposal(uint256 proposalId) external view returns (Proposal memory) {
        ProposalData storage p = _existing(_getStorage(), proposalId);
        return
            Proposal({
                actionType: p.actionType,
                data: p.data,
                proposer: p.proposer,
                guardianEpoch: p.guardianEpoch,
                approvals: p.approvals,
                proposedAt: p.proposedAt,
                queuedAt: p.queuedAt,
                expiresAt: p.expiresAt,
                executed: p.outcome == Outcome.Executed,
                vetoed: p.outcome == Outcome.Vetoed
            });
    }

    /// @inheritdoc IGuardianCouncil
    function executableAt(uint256 proposalId) external view returns (uint256) {
        return _getStorage().proposals[proposalId].executableAt;
    }

    /// @inheritdoc IGuardianCouncil
    /// @dev CancelTimelockOperation is emergency tier: it only stops an operation, and must land within the
    ///      timelock's own delay.
    function tierOf(ActionType actionType) public pure returns (Tier) {
        if (
            actionType == ActionType.Pause ||
            actionType == ActionType.Unpause ||
            actionType == ActionType.CancelTimelockOperation
        ) return Tier.Emergency;
        if (actionType == ActionType.UpdateParameters || actionType == ActionType.ChangeGuardians) {
            return Tier.Governance;
        }
        return Tier.Operational;
    }

    /// @inheritdoc IGuardianCouncil
    function isGuardian(address account) external view returns (bool) {
        return _getStorage().guardianIndex[account] != 0;
    }

    /// @inheritdoc IGuardianCouncil
    function guardians() external view returns (address[] memory) {
        return _getStorage().guardians;
    }

    /// @inheritdoc IGuardianCouncil
    function threshold() external view returns (uint16) {
        return _getStorage().threshold;
    }

    /// @inheritdoc IGuardianCouncil
    function guardianEpoch() external view returns (uint64) {
        return _getStorage().guardianEpoch;
    }

    /// @inheritdoc IGuardianCouncil
    function hasApproved(uint256 proposalId, address guardian) external view returns (bool) {
        GuardianCouncilStorage storage $ = _getStorage();
        uint64 epoch = $.approvalEpoch[proposalId][guardian];
        return epoch != 0 && epoch == $.proposals[proposalId].guardianEpoch;
    }

    /// @inheritdoc IGuardianCouncil
    function approvalDigest(uint256 proposalId) external view returns (bytes32) {
        return _approvalDigest(proposalId, _existing(_getStorage(), proposalId));
    }

    /// @inheritdoc IGuardianCouncil
    function delays() external view returns (Delays memory) {
        return _getStorage().delays;
    }

    /// @notice The RecoveryManager, the SnapshotRegistry and the AuditLog the council works with.
    function dependencies()
        external
        view
        returns (IRecoveryManager recovery, ISnapshotRegistry snapshots, IAuditLog audit)
    {
        GuardianCouncilStorage storage $ = _getStorage();
        return ($.recovery, $.snapshots, $.audit);
    }

    /// @notice Number of proposals made (ids from 1).
    function proposalCount() external view returns (uint256) {
        return _getStorage().proposalCount;
    }

    // ------------------------------------------------------------------------------------- internals

    function _countApproval(
        GuardianCouncilStorage storage $,
        uint256 proposalId,
        ProposalData storage p,
        address guardian
    ) private {
        $.approvalEpoch[proposalId][guardian] = p.guardianEpoch;
        // At most MAX_GUARDIANS distinct guardians approve a proposal.
        uint16 approvals;
        unchecked {
            approvals = p.approvals + 1;
        }
        p.approvals = approvals;
        emit ProposalApproved(proposalId, guardian, approvals);
        $.audit.append(KIND_APPROVED, guardian, p.subject, proposalId, p.actionHash);
        if (p.queuedAt == 0 && approvals >= $.threshold) {
            uint64 queuedAt = uint64(block.timestamp);
            uint64 readyAt = queuedAt + _delayOf($.delays, tierOf(p.actionType));
            p.queuedAt = queuedAt;
            p.executableAt = readyAt;
            emit ProposalQueued(proposalId, readyAt);
        }
    }

    function _applyGuardianChange(
        address[] calldata add,
        address[] memory remove,
        uint16 newThreshold
    ) private {
        GuardianCouncilStorage storage $ = _getStorage();
        for (uint256 i = 0; i < remove.length; ++i) {
            _removeGuardian($, remove[i]);
        }
        for (uint256 i = 0; i < add.length; ++i) {
            address account = add[i];
            if (account == address(0) || account == address(this) || $.guardianIndex[account] != 0) {
                revert GuardianCouncilInvalidGuardianSet($.guardians.length, newThreshold);
            }
            $.guardians.push(account);
            $.guardianIndex[account] = $.guardians.length;
        }
        uint256 count = $.guardians.length;
        if (newThreshold == 0 || newThreshold > count || count > MAX_GUARDIANS) {
            revert GuardianCouncilInvalidGuardianSet(count, newThreshold);
        }
        $.threshold = newThreshold;
        // One bump per executed change; 2^64 of them cannot happen.
        unchecked {
            ++$.guardianEpoch;
        }
        emit GuardianSetChanged($.guardianEpoch, $.guardians, newThreshold);
    }

    function _removeGuardian(GuardianCouncilStorage storage $, address account) private {
        uint256 index = $.guardianIndex[account];
        if (index == 0) revert GuardianCouncilNotGuardian(account);
        uint256 last = $.guardians.length;
        // index is in 1 .. last: the account is in the list.
        unchecked {
            if (index != last) {
                address moved = $.guardians[last - 1];
                $.guardians[index - 1] = moved;
                $.guardianIndex[moved] = index;
            }
        }
        $.guardians.pop();
        delete $.guardianIndex[account];
    }

    function _setDelays(Delays calldata d) private {
        _checkDelays(d.operationalDelay, d.governanceDelay, d.proposalLifetime);
        _getStorage().delays = d;
        emit DelaysUpdated(d);
    }

    function _checkDelays(uint256 operational, uint256 governance, uint256 lifetime) private pure {
        if (operational < MIN_OPERATIONAL_DELAY || operational > MAX_OPERATIONAL_DELAY) {
            revert GuardianCouncilInvalidParameter(
                "operationalDelay",
                operational,
                MIN_OPERATIONAL_DELAY,
                MAX_OPERATIONAL_DELAY
            );
        }
        if (governance < MIN_GOVERNANCE_DELAY || governance > MAX_GOVERNANCE_DELAY) {
            revert GuardianCouncilInvalidParameter(
                "governanceDelay",
                governance,
                MIN_GOVERNANCE_DELAY,
                MAX_GOVERNANCE_DELAY
            );
        }
        // governance <= 30 days here, so the sum cannot overflow.
        uint256 minLifetime = governance + MIN_APPROVAL_WINDOW;
        if (minLifetime < MIN_PROPOSAL_LIFETIME) minLifetime = MIN_PROPOSAL_LIFETIME;
        if (lifetime < minLifetime || lifetime > MAX_PROPOSAL_LIFETIME) {
            revert GuardianCouncilInvalidParameter(
                "proposalLifetime",
                lifetime,
                minLifetime,
                MAX_PROPOSAL_LIFETIME
            );
        }
    }

    function _stateOf(
        GuardianCouncilStorage storage $,
        uint256 proposalId
    ) private view returns (ProposalState) {
        if (proposalId == 0 || proposalId > $.proposalCount) return ProposalState.Unknown;
        ProposalData storage p = $.proposals[proposalId];
        if (p.outcome == Outcome.Executed) return ProposalState.Executed;
        if (p.outcome == Outcome.Vetoed) return ProposalState.Vetoed;
        if (p.guardianEpoch != $.guardianEpoch || block.timestamp > p.expiresAt) return ProposalState.Expired;
        if (p.queuedAt == 0) return ProposalState.Collecting;
        if (block.timestamp < p.executableAt) return ProposalState.Queued;
        return ProposalState.Ready;
    }

    function _existing(
        GuardianCouncilStorage storage $,
        uint256 proposalId
    ) private view returns (ProposalData storage) {
        if (proposalId == 0 || proposalId > $.proposalCount)
            revert GuardianCouncilUnknownProposal(proposalId);
        return $.proposals[proposalId];
    }

    function _collecting(
        GuardianCouncilStorage storage $,
        uint256 proposalId
    ) private view returns (ProposalData storage) {
        ProposalState state = _stateOf($, proposalId);
        if (state != ProposalState.Collecting) _revertState(proposalId, state);
        return $.proposals[proposalId];
    }

    function _revertState(uint256 proposalId, ProposalState state) private pure {
        if (state == ProposalState.Unknown) revert GuardianCouncilUnknownProposal(proposalId);
        revert GuardianCouncilWrongState(proposalId, state);
    }

    function _approvalDigest(uint256 proposalId, ProposalData storage p) private view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(abi.encode(APPROVAL_TYPEHASH, proposalId, p.actionHash, p.guardianEpoch))
            );
    }

    function _delayOf(Delays storage d, Tier tier) private view returns (uint64) {
        if (tier == Tier.Emergency) return 0;
        if (tier == Tier.Operational) return d.operationalDelay;
        return d.governanceDelay;
    }

    // ------------------------------------------------------------------------------ action encoding

    /// @dev The call `execute` makes for an action whose data passed `_validateAction`.
    function _callOf(
        GuardianCouncilStorage storage $,
        ActionType t,
        bytes memory data
    ) private view returns (address target, bytes memory callData) {
        if (t == ActionType.AttestSnapshot) {
            return (address($.snapshots), abi.encodeCall(ISnapshotRegistry.attestAsGuardian, (_word0(data))));
        }
        if (t == ActionType.CancelTimelockOperation) {
            (address timelock, bytes32 operationId) = abi.decode(data, (address, bytes32));
            return (timelock, abi.encodeCall(TimelockController.cancel, (operationId)));
        }
        if (t == ActionType.ChangeGuardians) {
            // `data` is the canonical encoding of changeGuardians' arguments (checked at propose time).
            return (address(this), bytes.concat(IGuardianCouncil.changeGuardians.selector, data));
        }
        if (t == ActionType.UpdateParameters) {
            (address paramTarget, bytes memory paramCall) = abi.decode(data, (address, bytes));
            if (paramTarget == address(this)) return (address(this), paramCall);
            return (
                address($.recovery),
                abi.encodeCall(IRecoveryManager.updateParameters, (paramTarget, paramCall))
            );
        }
        return (address($.recovery), _recoveryCallOf(t, data));
    }

    function _recoveryCallOf(ActionType t, bytes memory data) private pure returns (bytes memory) {
        if (t == ActionType.Pause)
            return abi.encodeCall(IRecoveryManager.pause, (abi.decode(data, (uint64))));
        if (t == ActionType.Unpause) return abi.encodeCall(IRecoveryManager.unpause, ());
        if (t == ActionType.Resync) {
            (address validator, uint256 snapshotId) = abi.decode(data, (address, uint256));
            return abi.encodeCall(IRecoveryManager.requestResync, (validator, snapshotId));
        }
        if (t == ActionType.Reprovision) {
            (address validator, string memory cid) = abi.decode(data, (address, string));
            return abi.encodeCall(IRecoveryManager.requestReprovision, (validator, cid));
        }
        if (t == ActionType.Forgive) return abi.encodeCall(IRecoveryManager.forgive, (_word0(data)));
        if (t == ActionType.ForceReplace) {
            return abi.encodeCall(IRecoveryManager.forceReplace, (abi.decode(data, (address))));
        }
        // ApproveKeyRotation (the other types are dispatched by _callOf)
        (address v, address newSigner) = abi.decode(data, (address, address));
        return abi.encodeCall(IRecoveryManager.approveKeyRotation, (v, newSigner));
    }

    function _word0(bytes memory data) private pure returns (uint256) {
        return abi.decode(data, (uint256));
    }

    // ---------------------------------------------------------------------------- action validation

    /// @dev Checks at propose time that `data` is the canonical encoding of the action's arguments and that
    ///      they are usable (non-zero validators, a well-formed CID, an allowed parameter call, ...), so that a
    ///      proposal that could never execute is refused before guardians spend approvals on it.
    function _validateAction(ActionType t, bytes calldata data) private view {
        if (t == ActionType.Reprovision) {
            string memory cid = string(_addressAndBytes(t, data));
            if (!_getStorage().recovery.isValidCid(cid)) revert GuardianCouncilInvalidAction(t);
        } else if (t == ActionType.UpdateParameters) {
            _validateUpdateParameters(data);
        } else if (t == ActionType.ChangeGuardians) {
            _validateChangeGuardians(data);
        } else if (t == ActionType.CancelTimelockOperation) {
            _validateCancel(data);
        } else {
            _validateStatic(t, data);
        }
    }

    /// @dev Static actions: a fixed number of words, some of which must be non-zero addresses.
    function _validateStatic(ActionType t, bytes calldata data) private pure {
        (uint256 words, uint256 addressMask) = _staticShape(t);
        if (data.length != words * 32) revert GuardianCouncilInvalidAction(t);
        // bounded: a static action has at most 2 words (_staticShape)
        for (uint256 i = 0; i < words; ++i) {
            if ((addressMask >> i) & 1 == 1) _checkAddressWord(t, _word(data, i * 32));
        }
        if (t == ActionType.Pause) {
            uint256 duration = _word(data, 0);
            if (duration == 0 || duration > type(uint64).max) revert GuardianCouncilInvalidAction(t);
        }
    }

    /// @dev (number of 32-byte words, bit i set if word i is an address that must be non-zero)
    function _staticShape(ActionType t) private pure returns (uint256 words, uint256 addressMask) {
        if (t == ActionType.Unpause) return (0, 0);
        if (t == ActionType.Pause || t == ActionType.Forgive || t == ActionType.AttestSnapshot) return (1, 0);
        if (t == ActionType.ForceReplace) return (1, 1);
        if (t == ActionType.Resync) return (2, 1);
        // ApproveKeyRotation: (validator, newSigner)
        return (2, 3);
    }

    function _validateUpdateParameters(bytes calldata data) private view {
        ActionType t = ActionType.UpdateParameters;
        bytes calldata callData = _addressAndBytes(t, data);
        if (callData.length < 4) revert GuardianCouncilInvalidAction(t);
        if (address(uint160(_word(data, 0))) != address(this)) return;
        // The council's only self-call through UpdateParameters: setDelays(Delays), with valid delays.
        if (bytes4(callData[0:4]) != IGuardianCouncil.setDelays.selector || callData.length != 4 + 96) {
            revert GuardianCouncilInvalidAction(t);
        }
        _checkDelays(_word(callData, 4), _word(callData, 36), _word(callData, 68));
    }

    /// @dev abi.encode(address timelock, bytes32 operationId): a contract where the council holds CANCELLER_ROLE
    ///      (a target that does not answer `hasRole` is refused), and the operation pending there.
    function _validateCancel(bytes calldata data) private view {
        ActionType t = ActionType.CancelTimelockOperation;
        if (data.length != 64) revert GuardianCouncilInvalidAction(t);
        _checkAddressWord(t, _word(data, 0));
        address timelock = address(uint160(_word(data, 0)));
        if (timelock.code.length == 0) revert GuardianCouncilInvalidAction(t);
        try IAccessControl(timelock).hasRole(TIMELOCK_CANCELLER_ROLE, address(this)) returns (
            bool canCancel
        ) {
            if (!canCancel) revert GuardianCouncilInvalidAction(t);
        } catch {
            revert GuardianCouncilInvalidAction(t);
        }
        _requirePending(data);
    }

    /// @dev Reverts with GuardianCouncilOperationNotPending unless the operation `data` names is pending.
    function _requirePending(bytes memory data) private view {
        (address timelock, bytes32 operationId) = abi.decode(data, (address, bytes32));
        if (!TimelockController(payable(timelock)).isOperationPending(operationId)) {
            revert GuardianCouncilOperationNotPending(timelock, operationId);
        }
    }

    /// @dev abi.encode(address[] add, address[] remove, uint16 newThreshold), canonical: the head is
    ///      (0x60, offset of remove, threshold), then add's length and items, then remove's.
    function _validateChangeGuardians(bytes calldata data) private pure {
        ActionType t = ActionType.ChangeGuardians;
        if (data.length < 160 || _word(data, 0) != 0x60) revert GuardianCouncilInvalidAction(t);
        uint256 addLength = _word(data, 0x60);
        if (addLength > MAX_GUARDIANS) revert GuardianCouncilInvalidAction(t);
        uint256 removeOffset = 0x80 + addLength * 32;
        if (_word(data, 0x20) != removeOffset || data.length < removeOffset + 32) {
            revert GuardianCouncilInvalidAction(t);
        }
        uint256 removeLength = _word(data, removeOffset);
        if (removeLength > MAX_GUARDIANS || data.length != removeOffset + 32 + removeLength * 32) {
            revert GuardianCouncilInvalidAction(t);
        }
        uint256 newThreshold = _word(data, 0x40);
        if (newThreshold == 0 || newThreshold > MAX_GUARDIANS) revert GuardianCouncilInvalidAction(t);
        // bounded: addLength + removeLength <= 2 * MAX_GUARDIANS (checked above)
        for (uint256 offset = 0x80; offset < data.length; offset += 32) {
            if (offset != removeOffset) _checkAddressWord(t, _word(data, offset));
        }
    }

    /// @dev abi.encode(address, bytes) or abi.encode(address, string), canonical: (address, 0x40, length,
    ///      padded bytes). Returns the bytes.
    function _addressAndBytes(
        ActionType t,
        bytes calldata data
    ) private pure returns (bytes calldata payload) {
        if (data.length < 96 || _word(data, 32) != 0x40) revert GuardianCouncilInvalidAction(t);
        _checkAddressWord(t, _word(data, 0));
        uint256 length = _word(data, 64);
        if (length == 0 || length > MAX_PAYLOAD_BYTES || data.length != 96 + ((length + 31) / 32) * 32) {
            revert GuardianCouncilInvalidAction(t);
        }
        return data[96:96 + length];
    }

    function _checkAddressWord(ActionType t, uint256 word) private pure {
        if (word == 0 || word > type(uint160).max) revert GuardianCouncilInvalidAction(t);
    }

    function _word(bytes calldata data, uint256 offset) private pure returns (uint256) {
        return uint256(bytes32(data[offset:offset + 32]));
    }

    /// @dev The validator an action concerns (recorded as the AuditLog subject), or zero.
    function _subjectOf(ActionType t, bytes calldata data) private pure returns (address) {
        if (
            t == ActionType.Resync ||
            t == ActionType.Reprovision ||
            t == ActionType.ForceReplace ||
            t == ActionType.ApproveKeyRotation
        ) {
            return address(uint160(_word(data, 0)));
        }
        return address(0);
    }

    function _getStorage() private pure returns (GuardianCouncilStorage storage $) {
        // ERC-7201: assembly is the only way to point a storage reference at a namespaced slot.
        // solhint-disable-next-line no-inline-assembly
        assembly {
            $.slot := GUARDIAN_COUNCIL_STORAGE_LOCATION
        }
    }
}
