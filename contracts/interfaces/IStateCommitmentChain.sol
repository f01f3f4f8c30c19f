// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IStateCommitmentChain
/// @notice Optimistic state commitments of a minimal ledger, single-step fraud proofs and automatic rollback.
///
///         The ledger: accounts `{owner, balance, nonce}` in a sparse Merkle tree of fixed depth `treeDepth`
///         (the account of address `a` sits at leaf `uint160(a) mod 2^treeDepth`); its only transaction is a
///         transfer `{from, to, amount, nonce}` signed by `from` (see LedgerTransition for the exact rules and
///         hashing). A transaction that breaks a rule is a no-op: the state root does not change.
///
///         An active validator (bonded in the StakeManager) appends a batch with `propose(prevStateRoot, txs,
///         postRoots)`: the transfers and the state root after each of them. The batch data is the calldata of
///         that transaction; the contract stores `{prevStateRoot, newStateRoot, txBatchHash, stepsRoot}`, where
///         `stepsRoot` is the Merkle root of the steps `keccak256(abi.encode(preRoot_i, keccak256(abi.encode(
///         tx_i)), postRoot_i))`, computed on-chain so that consecutive steps always chain. A commitment is final
///         `challengeWindow` seconds after it was proposed (never before its parent).
///
///         Until then anyone may `challenge` it with a bond and a single-step fraud proof: one step of the batch
///         (with its Merkle proof in `stepsRoot`) and the Merkle proofs of the two accounts the transfer touches.
///         The contract re-executes that one transfer. If the result differs from the committed post-root, the
///         commitment and every later one are discarded (the chain's head moves back to the last valid root,
///         `StateRolledBack` tells nodes to resync to it, the audit log records it), the proposer is slashed
///         through the StakeManager, and the challenger gets its bond back plus a reward (credited in the
///         StakeManager, pulled with `claimReward`). If the result matches, the challenger's bond goes to the
///         treasury.
/// @dev Rollback is O(1): positions in the chain map to commitment ids, and discarding a suffix only moves the
///      chain's length back; a discarded id is never reused.
interface IStateCommitmentChain {
    /// @notice Where a commitment stands (derived from the chain's length and the clock).
    /// @dev None: no such id. Pending: in the chain, challengeable. Final: in the chain, window over.
    ///      Discarded: proven fraudulent, or built on one that was.
    enum CommitmentState {
        None,
        Pending,
        Final,
        Discarded
    }

    /// @notice A ledger transfer, signed by `from` over `LedgerTransition.transferDigest` with an EIP-2098
    ///         compact signature `(r, vs)`. The digest is EIP-712 typed data bound to this chain and this
    ///         contract: `keccak256("\x19\x01" ‖ ledgerDomainSeparator() ‖ keccak256(abi.encode(keccak256(
    ///         "Transfer(address from,address to,uint128 amount,uint64 nonce)"), from, to, amount, nonce)))`, with
    ///         the domain `EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)` =
    ///         `("healnet.ledger", "1", block.chainid, address(this))`. A transfer signed for another chain id or
    ///         another StateCommitmentChain deployment does not recover to `from`: it is a no-op (BadSignature).
    struct Transfer {
        address from;
        address to;
        uint128 amount;
        uint64 nonce;
        bytes32 r;
        bytes32 vs;
    }

    /// @notice A ledger account. An account with zero balance and zero nonce is empty: its leaf is zero and its
    ///         owner is not recorded.
    struct Account {
        address owner;
        uint128 balance;
        uint64 nonce;
    }

    /// @notice An account and the siblings of its leaf, from the leaf level up (`treeDepth` of them).
    struct AccountProof {
        Account account;
        bytes32[] siblings;
    }

    /// @notice A single-step fraud proof.
    /// @param commitmentId The challenged commitment.
    /// @param step The index of the disputed transfer in the batch.
    /// @param transfer The disputed transfer.
    /// @param preStateRoot The committed state root before it.
    /// @param postStateRoot The committed state root after it (the claim being disputed).
    /// @param stepSiblings Merkle proof of the step in the commitment's `stepsRoot` (leaf level up).
    /// @param from The sender's account, proven against `preStateRoot`.
    /// @param to The recipient's account, proven against the root after the sender was debited (ignored when
    ///        the transfer is rejected before the recipient is touched).
    struct FraudProof {
        uint256 commitmentId;
        uint256 step;
        Transfer transfer;
        bytes32 preStateRoot;
        bytes32 postStateRoot;
        bytes32[] stepSiblings;
        AccountProof from;
        AccountProof to;
    }

    /// @notice A commitment. Layout: four roots one slot each; `proposer`, `proposedAt` and `txCount` share a
    ///         slot; `finalAt` and `position` share one.
    /// @param prevStateRoot The state root it starts from (the previous commitment's `newStateRoot`).
    /// @param newStateRoot The state root after the batch.
    /// @param txBatchHash keccak256(abi.encode(txs)), the `Transfer[]` of the batch.
    /// @param stepsRoot Merkle root of the batch's steps (zero-padded to a power of two).
    /// @param proposer The validator who proposed it.
    /// @param proposedAt When.
    /// @param txCount Number of transfers.
    /// @param finalAt When it becomes final: max(proposedAt + challengeWindow, the parent's finalAt).
    /// @param position Its position in the chain (from 1; position 0 is the genesis root).
    struct Commitment {
        bytes32 prevStateRoot;
        bytes32 newStateRoot;
        bytes32 txBatchHash;
        bytes32 stepsRoot;
        address proposer;
        uint64 proposedAt;
        uint32 txCount;
        uint64 finalAt;
        uint64 position;
    }

    /// @notice The ledger's fixed configuration, given at initialization.
    /// @param genesisStateRoot The state root at position 0 (zero: the empty ledger).
    /// @param treeDepth Depth of the accounts' sparse Merkle tree (1 .. 160).
    struct LedgerConfig {
        bytes32 genesisStateRoot;
        uint8 treeDepth;
    }

    /// @notice Parameters, set by the parameter role within bounds.
    /// @param challengeBond Stake tokens a challenger bonds (bounds: 0 .. 10^24; default 100e18).
    /// @param challengerRewardCap Largest reward of a successful challenge (bounds: 0 .. 10^24; default 1,000e18).
    /// @param challengeWindow Seconds a commitment can be challenged (bounds: 1 min .. 30 days; default 1 h).
    /// @param fraudSlashBps Share of the proposer's slashable stake slashed for fraud (1 .. 10,000; default
    ///        1,000 = 10%).
    /// @param challengerRewardBps Share of the slashed stake paid to the challenger (0 .. 10,000; default 5,000).
    /// @param maxBatchSize Most transfers in one batch (1 .. 1,024; default 256).
    struct Parameters {
        uint128 challengeBond;
        uint128 challengerRewardCap;
        uint32 challengeWindow;
        uint16 fraudSlashBps;
        uint16 challengerRewardBps;
        uint16 maxBatchSize;
    }

    /// @notice A batch was appended. Its transfers and post-roots are in the calldata of this transaction
    ///         (`propose(prevStateRoot, txs, postRoots)`); readers check `keccak256(abi.encode(txs)) == txBatchHash`.
    event StateBatchAppended(
        uint256 indexed commitmentId,
        address indexed proposer,
        uint256 indexed position,
        bytes32 prevStateRoot,
        bytes32 newStateRoot,
        bytes32 txBatchHash,
        bytes32 stepsRoot,
        uint256 txCount,
        uint256 finalAt
    );

    /// @notice A fraud proof succeeded: the step's re-executed post-root is `computedRoot`, not `claimedRoot`.
    event FraudProven(
        uint256 indexed commitmentId,
        address indexed challenger,
        address indexed proposer,
        uint256 step,
        bytes32 claimedRoot,
        bytes32 computedRoot,
        uint256 slashed,
        uint256 reward
    );

    /// @notice The chain rolled back: `discarded` commitments from `fromPosition` on were dropped; the canonical
    ///         head is now `headStateRoot` at `headPosition`. Nodes resync to `headStateRoot`.
    event StateRolledBack(
        uint256 indexed fromCommitmentId,
        uint256 indexed headPosition,
        bytes32 headStateRoot,
        uint256 fromPosition,
        uint256 discarded
    );

    /// @notice The proposer's slash reverted (`reason`): the rollback stands, nobody was slashed or rewarded. The
    ///         suite's validator set never refuses a slash (an active validator slashed below `minStake` is
    ///         removed and replaced); a missing SLASHER_ROLE or another observer could still make it revert.
    event ProposerSlashFailed(uint256 indexed commitmentId, address indexed proposer, bytes reason);

    /// @notice Jailing the proven-fraudulent proposer reverted (`reason`, e.g. this contract lacks the
    ///         StakeManager's JAILER_ROLE): the rollback and the slash stand.
    event ProposerJailFailed(uint256 indexed commitmentId, address indexed proposer, bytes reason);

    /// @notice A challenge failed (the step re-executes to the committed root): the bond went to the treasury.
    event ChallengeFailed(
        uint256 indexed commitmentId,
        address indexed challenger,
        uint256 step,
        uint256 bond
    );

    /// @notice Parameters changed.
    event ParametersUpdated(Parameters parameters);

    /// @notice An address argument was zero.
    error StateCommitmentChainZeroAddress(bytes32 what);
    /// @notice A parameter is outside its hard bounds.
    error StateCommitmentChainInvalidParameter(bytes32 name, uint256 value, uint256 min, uint256 max);
    /// @notice Only an active validator may propose.
    error StateCommitmentChainNotActiveValidator(address caller);
    /// @notice The batch does not start at the chain's head root.
    error StateCommitmentChainWrongPrevRoot(bytes32 expected, bytes32 given);
    /// @notice The batch is empty, too large, or its post-roots do not match its transfers one to one.
    error StateCommitmentChainInvalidBatch(uint256 txCount, uint256 rootCount, uint256 maxBatchSize);
    /// @notice No such commitment.
    error StateCommitmentChainUnknownCommitment(uint256 commitmentId);
    /// @notice The commitment cannot be challenged in its state (final or discarded).
    error StateCommitmentChainNotChallengeable(uint256 commitmentId, CommitmentState state);
    /// @notice The step is not in the commitment (index out of range, or a bad Merkle proof of the step).
    error StateCommitmentChainInvalidStepProof(uint256 commitmentId, uint256 step);
    /// @notice The proposer's slash ran out of gas: the challenge must be sent with more gas (so that a challenger
    ///         cannot skip the slash by starving it).
    error StateCommitmentChainSlashOutOfGas(uint256 gasLeft);
    /// @notice An account proof does not match the root it is checked against.
    error StateCommitmentChainInvalidAccountProof(address account, bytes32 root);

    /// @notice Appends a batch on top of the chain's head. Only an active validator of the validator set (its
    ///         bonded stake is what a fraud proof slashes). Pays nothing; the commitment is challengeable for
    ///         `challengeWindow`.
    /// @param prevStateRoot Must equal `headStateRoot()`.
    /// @param txs The transfers, in order (1 .. maxBatchSize).
    /// @param postRoots The state root after each transfer (same length); the last is the batch's new root.
    /// @return commitmentId The new commitment's id.
    function propose(
        bytes32 prevStateRoot,
        Transfer[] calldata txs,
        bytes32[] calldata postRoots
    ) external returns (uint256 commitmentId);

    /// @notice Challenges a pending commitment with a single-step fraud proof. Permissionless: anyone with
    ///         `challengeBond` stake tokens approved to this contract.
    /// @dev Reverts (nothing taken) if the commitment is not Pending, the step is not in it, or an account proof
    ///      is invalid. Otherwise takes the bond and re-executes the transfer: a different post-root is fraud
    ///      (rollback, proposer jailed for `FRAUD_JAIL_DURATION` — which takes it out of the active set — slash,
    ///      reward credited in the StakeManager); the same root forfeits the bond to the
    ///      treasury. A reverting jail or slash does not undo the rollback (`ProposerJailFailed`,
    ///      `ProposerSlashFailed`), except when it ran out of gas (`StateCommitmentChainSlashOutOfGas`) or was
    ///      refused as re-entrant (`challenge` called from inside a StakeManager payout, e.g. a stake token's
    ///      hook: `ReentrancyGuardReentrantCall`): then the whole challenge reverts, so neither can spare the
    ///      liar its slash.
    /// @param proof The fraud proof.
    /// @return fraud Whether fraud was proven.
    function challenge(FraudProof calldata proof) external returns (bool fraud);

    /// @notice Sets the parameters. Only the parameter role (the DAO timelock).
    function setParameters(Parameters calldata parameters) external;

    /// @notice The commitment with this id (reverts for an unknown id).
    function commitment(uint256 commitmentId) external view returns (Commitment memory);

    /// @notice The commitment's state.
    function stateOf(uint256 commitmentId) external view returns (CommitmentState);

    /// @notice Number of commitments ever proposed (ids run from 1; discarded ones included).
    function commitmentCount() external view returns (uint256);

    /// @notice Length of the canonical chain (positions 1 .. chainLength hold live commitments).
    function chainLength() external view returns (uint256);

    /// @notice The commitment id at a chain position (0 for position 0, the genesis, or past the chain's end).
    function commitmentAt(uint256 position) external view returns (uint256);

    /// @notice The canonical head's state root: the last live commitment's new root, or the genesis root.
    function headStateRoot() external view returns (bytes32);

    /// @notice The position of the last final commitment (0: only the genesis is final). O(log chainLength).
    function lastFinalPosition() external view returns (uint256);

    /// @notice The state root of the last final commitment (the genesis root when none is final).
    function lastFinalStateRoot() external view returns (bytes32);

    /// @notice The EIP-712 domain separator every transfer signature covers: `keccak256(abi.encode(keccak256(
    ///         "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
    ///         keccak256("healnet.ledger"), keccak256("1"), block.chainid, address(this)))`.
    function ledgerDomainSeparator() external view returns (bytes32);

    /// @notice The genesis state root.
    function genesisStateRoot() external view returns (bytes32);

    /// @notice Depth of the ledger's sparse Merkle tree (fixed at initialization).
    function treeDepth() external view returns (uint256);

    /// @notice Number of rollbacks so far.
    function rollbackCount() external view returns (uint256);

    /// @notice The current parameters.
    function parameters() external view returns (Parameters memory);

    /// @notice The challenger bond token (the stake token).
    function token() external view returns (address);

    /// @notice Receives forfeited challenge bonds.
    function treasury() external view returns (address);
}
