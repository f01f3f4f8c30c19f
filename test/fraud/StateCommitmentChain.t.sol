// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {StateCommitmentChain} from "../../contracts/fraud/StateCommitmentChain.sol";
import {IStateCommitmentChain} from "../../contracts/interfaces/IStateCommitmentChain.sol";
import {IValidatorSet} from "../../contracts/interfaces/IValidatorSet.sol";
import {IStakeManager} from "../../contracts/interfaces/IStakeManager.sol";
import {IAuditLog} from "../../contracts/interfaces/IAuditLog.sol";
import {HealToken} from "../../contracts/governance/HealToken.sol";
import {MockValidatorSet} from "../../contracts/mocks/MockValidatorSet.sol";
import {MockStakeManager} from "../../contracts/mocks/MockStakeManager.sol";
import {MockAuditLog} from "../../contracts/mocks/MockAuditLog.sol";
import {LedgerModel} from "./handlers/LedgerModel.sol";
import {StateCommitmentChainHandler} from "./handlers/StateCommitmentChainHandler.sol";

/// @dev A StakeManager whose slash burns all the gas it is given.
contract GasGuzzlingStake {
    uint256 private _sink;

    function slash(
        address,
        uint256,
        uint256,
        address,
        uint256,
        uint256,
        uint256
    ) external returns (uint256, uint256) {
        while (true) ++_sink;
        return (0, 0);
    }
}

/// @dev Shared deployment: the chain behind an ERC1967Proxy over mocks of the set, the StakeManager and the
///      audit log; a LedgerModel (independent of LedgerTransition) builds the batches and proofs.
abstract contract StateCommitmentChainFixture is Test {
    /// @dev A batch as proposed, with what the model computed for each step.
    struct Built {
        bytes32 prev;
        IStateCommitmentChain.Transfer[] txs;
        bytes32[] postRoots;
        LedgerModel.Step[] steps;
    }

    StateCommitmentChain internal scc;
    HealToken internal token;
    MockValidatorSet internal set;
    MockStakeManager internal stake;
    MockAuditLog internal audit;
    LedgerModel internal model;

    address internal constant ADMIN = address(0xAD);
    address internal constant TREASURY = address(0x7E);
    address internal constant TIMELOCK = address(0x71);
    address internal constant PROPOSER = address(0x9001);
    address internal constant PROPOSER2 = address(0x9002);
    address internal constant CHALLENGER = address(0xC4);
    address internal constant STRANGER = address(0x5E);
    address internal alice;
    address internal bob;
    address internal carol;
    uint256 internal alicePk;
    uint256 internal bobPk;
    uint256 internal carolPk;
    bytes32 internal genesis;

    uint256 internal constant T0 = 1_700_000_000;
    uint8 internal constant DEPTH = 16;
    uint32 internal constant WINDOW = 1 hours;
    uint128 internal constant BOND = 100e18;
    uint256 internal constant STAKE = 1_000e18;

    function _params() internal pure returns (IStateCommitmentChain.Parameters memory) {
        return
            IStateCommitmentChain.Parameters({
                challengeBond: BOND,
                challengerRewardCap: 50e18,
                challengeWindow: WINDOW,
                fraudSlashBps: 1_000,
                challengerRewardBps: 5_000,
                maxBatchSize: 8
            });
    }

    function _initData(
        IStateCommitmentChain.LedgerConfig memory ledger,
        IStateCommitmentChain.Parameters memory p
    ) internal view returns (bytes memory) {
        return
            abi.encodeCall(
                StateCommitmentChain.initialize,
                (
                    ADMIN,
                    IERC20(address(token)),
                    TREASURY,
                    IValidatorSet(address(set)),
                    IStakeManager(address(stake)),
                    IAuditLog(address(audit)),
                    ledger,
                    p
                )
            );
    }

    function _newImplementation() internal returns (address) {
        return deployCode("StateCommitmentChain.sol:StateCommitmentChain");
    }

    function setUp() public virtual {
        vm.warp(T0);
        token = HealToken(deployCode("HealToken.sol:HealToken", abi.encode(address(this), 1e27)));
        set = MockValidatorSet(deployCode("MockValidatorSet.sol:MockValidatorSet"));
        stake = MockStakeManager(deployCode("MockStakeManager.sol:MockStakeManager"));
        audit = MockAuditLog(deployCode("MockAuditLog.sol:MockAuditLog"));
        model = new LedgerModel(DEPTH);
        (alice, alicePk) = makeAddrAndKey("alice");
        (bob, bobPk) = makeAddrAndKey("bob");
        (carol, carolPk) = makeAddrAndKey("carol");
        model.setAccount(alice, 1_000, 0);
        model.setAccount(bob, 500, 0);
        genesis = model.root();
        scc = StateCommitmentChain(
            address(
                new ERC1967Proxy(
                    _newImplementation(),
                    _initData(IStateCommitmentChain.LedgerConfig(genesis, DEPTH), _params())
                )
            )
        );
        bytes32 parameterRole = scc.PARAMETER_ROLE();
        vm.prank(ADMIN);
        scc.grantRole(parameterRole, TIMELOCK);
        address[] memory active = new address[](2);
        active[0] = PROPOSER;
        active[1] = PROPOSER2;
        set.setActiveValidators(active);
        stake.setBonded(PROPOSER, STAKE);
        stake.setBonded(PROPOSER2, STAKE);
        token.transfer(CHALLENGER, 10_000e18);
        vm.prank(CHALLENGER);
        token.approve(address(scc), type(uint256).max);
    }

    // ---------------------------------------------------------------- building batches

    /// @dev A transfer signed for this chain (block.chainid) and this StateCommitmentChain.
    function _sign(
        uint256 pk,
        address from,
        address to,
        uint128 amount,
        uint64 nonce
    ) internal view returns (IStateCommitmentChain.Transfer memory t) {
        return _signFor(block.chainid, address(scc), pk, from, to, amount, nonce);
    }

    /// @dev A transfer signed for the ledger of `verifyingContract` on chain `chainId`.
    function _signFor(
        uint256 chainId,
        address verifyingContract,
        uint256 pk,
        address from,
        address to,
        uint128 amount,
        uint64 nonce
    ) internal view returns (IStateCommitmentChain.Transfer memory t) {
        bytes32 digest = model.transferDigest(chainId, verifyingContract, from, to, amount, nonce);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, digest);
        t = IStateCommitmentChain.Transfer(
            from,
            to,
            amount,
            nonce,
            r,
            bytes32(uint256(s) | (uint256(v - 27) << 255))
        );
    }

    /// @dev alice → bob 100, bob → carol 50, alice → carol 10: three valid transfers.
    function _honestBatch() internal returns (Built memory b) {
        IStateCommitmentChain.Transfer[] memory txs = new IStateCommitmentChain.Transfer[](3);
        txs[0] = _sign(alicePk, alice, bob, 100, model.nonceOf(alice));
        txs[1] = _sign(bobPk, bob, carol, 50, model.nonceOf(bob));
        txs[2] = _sign(alicePk, alice, carol, 10, model.nonceOf(alice) + 1);
        return _build(txs);
    }

    /// @dev Applies every transfer (all valid) to the model.
    function _build(IStateCommitmentChain.Transfer[] memory txs) internal returns (Built memory b) {
        b.prev = model.root();
        b.txs = txs;
        b.postRoots = new bytes32[](txs.length);
        b.steps = new LedgerModel.Step[](txs.length);
        for (uint256 i = 0; i < txs.length; ++i) {
            b.steps[i] = model.applyValid(txs[i]);
            b.postRoots[i] = b.steps[i].postRoot;
        }
    }

    function _propose(Built memory b) internal returns (uint256) {
        return _proposeAs(PROPOSER, b);
    }

    function _proposeAs(address who, Built memory b) internal returns (uint256) {
        vm.prank(who);
        return scc.propose(b.prev, b.txs, b.postRoots);
    }

    function _stepLeaf(
        bytes32 pre,
        IStateCommitmentChain.Transfer memory t,
        bytes32 post
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(pre, keccak256(abi.encode(t)), post));
    }

    function _stepSiblings(Built memory b, uint256 step) internal pure returns (bytes32[] memory siblings) {
        uint256 width = 1;
        uint256 depth = 0;
        while (width < b.txs.length) {
            width <<= 1;
            ++depth;
        }
        bytes32[] memory nodes = new bytes32[](width);
        bytes32 pre = b.prev;
        for (uint256 i = 0; i < b.txs.length; ++i) {
            nodes[i] = _stepLeaf(pre, b.txs[i], b.postRoots[i]);
            pre = b.postRoots[i];
        }
        siblings = new bytes32[](depth);
        uint256 index = step;
        for (uint256 level = 0; level < depth; ++level) {
            siblings[level] = nodes[index ^ 1];
            width >>= 1;
            for (uint256 i = 0; i < width; ++i)
                nodes[i] = keccak256(abi.encodePacked(nodes[2 * i], nodes[2 * i + 1]));
            index >>= 1;
        }
    }

    /// @dev The fraud proof of step `step` as committed (its committed pre- and post-roots).
    function _fraudProof(
        Built memory b,
        uint256 id,
        uint256 step
    ) internal pure returns (IStateCommitmentChain.FraudProof memory p) {
        p.commitmentId = id;
        p.step = step;
        p.transfer = b.txs[step];
        p.preStateRoot = step == 0 ? b.prev : b.postRoots[step - 1];
        p.postStateRoot = b.postRoots[step];
        p.stepSiblings = _stepSiblings(b, step);
        p.from = b.steps[step].from;
        p.to = b.steps[step].to;
    }

    function _challenge(IStateCommitmentChain.FraudProof memory p) internal returns (bool) {
        vm.prank(CHALLENGER);
        return scc.challenge(p);
    }

    function _unauthorized(address account, bytes32 role) internal pure returns (bytes memory) {
        return
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, account, role);
    }

    function _assertLastAudit(bytes32 kind, address actor, address subject, uint256 refId) internal view {
        MockAuditLog.Entry memory e = audit.lastEntry();
        assertEq(e.kind, kind, "audit kind");
        assertEq(e.actor, actor, "audit actor");
        assertEq(e.subject, subject, "audit subject");
        assertEq(e.refId, refId, "audit refId");
        assertEq(e.source, address(scc), "audit source");
    }
}

/// @dev initialize, the constructor and parameters.
contract StateCommitmentChainInitializeTest is StateCommitmentChainFixture {
    function test_initialize_setsDependenciesRolesAndLedger() public view {
        assertTrue(scc.hasRole(scc.DEFAULT_ADMIN_ROLE(), ADMIN));
        assertTrue(scc.hasRole(scc.PARAMETER_ROLE(), TIMELOCK));
        assertEq(scc.token(), address(token));
        assertEq(scc.treasury(), TREASURY);
        assertEq(scc.genesisStateRoot(), genesis);
        assertEq(scc.headStateRoot(), genesis);
        assertEq(scc.treeDepth(), DEPTH);
        assertEq(scc.chainLength(), 0);
        assertEq(scc.commitmentCount(), 0);
        assertEq(scc.parameters().challengeBond, BOND);
        assertEq(scc.lastFinalStateRoot(), genesis);
    }

    function test_initialize_revertsIfCalledTwice() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        scc.initialize(
            ADMIN,
            IERC20(address(token)),
            TREASURY,
            IValidatorSet(address(set)),
            IStakeManager(address(stake)),
            IAuditLog(address(audit)),
            IStateCommitmentChain.LedgerConfig(genesis, DEPTH),
            _params()
        );
    }

    function test_constructor_disablesInitializersOnTheImplementation() public {
        StateCommitmentChain impl = StateCommitmentChain(_newImplementation());
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        impl.initialize(
            ADMIN,
            IERC20(address(token)),
            TREASURY,
            IValidatorSet(address(set)),
            IStakeManager(address(stake)),
            IAuditLog(address(audit)),
            IStateCommitmentChain.LedgerConfig(genesis, DEPTH),
            _params()
        );
    }

    function test_initialize_revertsIfAdminZero() public {
        address impl = _newImplementation();
        bytes memory data = _initData(IStateCommitmentChain.LedgerConfig(genesis, DEPTH), _params());
        // ADMIN is the first argument: zero it.
        assembly {
            mstore(add(data, 36), 0)
        }
        vm.expectRevert(
            abi.encodeWithSelector(
                IStateCommitmentChain.StateCommitmentChainZeroAddress.selector,
                bytes32("admin")
            )
        );
        new ERC1967Proxy(impl, data);
    }

    function test_initialize_revertsIfDepthOutOfBounds() public {
        address impl = _newImplementation();
        vm.expectRevert(
            abi.encodeWithSelector(
                IStateCommitmentChain.StateCommitmentChainInvalidParameter.selector,
                bytes32("treeDepth"),
                161,
                1,
                160
            )
        );
        new ERC1967Proxy(impl, _initData(IStateCommitmentChain.LedgerConfig(genesis, 161), _params()));
        vm.expectRevert(
            abi.encodeWithSelector(
                IStateCommitmentChain.StateCommitmentChainInvalidParameter.selector,
                bytes32("treeDepth"),
                0,
                1,
                160
            )
        );
        new ERC1967Proxy(impl, _initData(IStateCommitmentChain.LedgerConfig(genesis, 0), _params()));
    }

    function test_setParameters_updatesAndAudits() public {
        IStateCommitmentChain.Parameters memory p = _params();
        p.challengeWindow = 2 hours;
        vm.expectEmit(address(scc));
        emit IStateCommitmentChain.ParametersUpdated(p);
        vm.prank(TIMELOCK);
        scc.setParameters(p);
        assertEq(scc.parameters().challengeWindow, 2 hours);
        _assertLastAudit(scc.FRAUD_PARAMETERS(), TIMELOCK, address(scc), 0);
    }

    function test_setParameters_revertsIfNotParameterRole() public {
        IStateCommitmentChain.Parameters memory p = _params();
        bytes32 role = scc.PARAMETER_ROLE();
        vm.expectRevert(_unauthorized(STRANGER, role));
        vm.prank(STRANGER);
        scc.setParameters(p);
    }

    function _expectBadParam(
        IStateCommitmentChain.Parameters memory p,
        bytes32 name,
        uint256 value,
        uint256 lo,
        uint256 hi
    ) internal {
        vm.expectRevert(
            abi.encodeWithSelector(
                IStateCommitmentChain.StateCommitmentChainInvalidParameter.selector,
                name,
                value,
                lo,
                hi
            )
        );
        vm.prank(TIMELOCK);
        scc.setParameters(p);
    }

    function test_setParameters_revertsIfOutOfBounds() public {
        IStateCommitmentChain.Parameters memory p = _params();
        p.challengeBond = 1e24 + 1;
        _expectBadParam(p, "challengeBond", 1e24 + 1, 0, 1e24);
        p = _params();
        p.challengerRewardCap = 1e24 + 1;
        _expectBadParam(p, "challengerRewardCap", 1e24 + 1, 0, 1e24);
        p = _params();
        p.challengeWindow = 59;
        _expectBadParam(p, "challengeWindow", 59, 60, 30 days);
        p.challengeWindow = 30 days + 1;
        _expectBadParam(p, "challengeWindow", 30 days + 1, 60, 30 days);
        p = _params();
        p.fraudSlashBps = 0;
        _expectBadParam(p, "fraudSlashBps", 0, 1, 10_000);
        p.fraudSlashBps = 10_001;
        _expectBadParam(p, "fraudSlashBps", 10_001, 1, 10_000);
        p = _params();
        p.challengerRewardBps = 10_001;
        _expectBadParam(p, "challengerRewardBps", 10_001, 0, 10_000);
        p = _params();
        p.maxBatchSize = 0;
        _expectBadParam(p, "maxBatchSize", 0, 1, 1024);
        p.maxBatchSize = 1025;
        _expectBadParam(p, "maxBatchSize", 1025, 1, 1024);
    }
}

/// @dev propose and the chain's views.
contract StateCommitmentChainProposeTest is StateCommitmentChainFixture {
    function test_propose_appendsTheBatchOnTheHead() public {
        Built memory b = _honestBatch();
        vm.expectEmit(address(scc));
        emit IStateCommitmentChain.StateBatchAppended(
            1,
            PROPOSER,
            1,
            genesis,
            b.postRoots[2],
            keccak256(abi.encode(b.txs)),
            _stepsRootOf(b),
            3,
            T0 + WINDOW
        );
        uint256 id = _propose(b);
        assertEq(id, 1);
        IStateCommitmentChain.Commitment memory c = scc.commitment(id);
        assertEq(c.prevStateRoot, genesis);
        assertEq(c.newStateRoot, model.root());
        assertEq(c.proposer, PROPOSER);
        assertEq(c.txCount, 3);
        assertEq(c.position, 1);
        assertEq(c.proposedAt, T0);
        assertEq(c.finalAt, T0 + WINDOW);
        assertEq(scc.headStateRoot(), model.root());
        assertEq(scc.chainLength(), 1);
        assertEq(scc.commitmentAt(1), 1);
        assertEq(uint256(scc.stateOf(id)), uint256(IStateCommitmentChain.CommitmentState.Pending));
    }

    function _stepsRootOf(Built memory b) internal pure returns (bytes32) {
        // Four leaves (three steps and a zero pad).
        bytes32 l0 = _stepLeaf(b.prev, b.txs[0], b.postRoots[0]);
        bytes32 l1 = _stepLeaf(b.postRoots[0], b.txs[1], b.postRoots[1]);
        bytes32 l2 = _stepLeaf(b.postRoots[1], b.txs[2], b.postRoots[2]);
        return
            keccak256(
                abi.encodePacked(
                    keccak256(abi.encodePacked(l0, l1)),
                    keccak256(abi.encodePacked(l2, bytes32(0)))
                )
            );
    }

    function test_propose_revertsIfNotActiveValidator() public {
        Built memory b = _honestBatch();
        vm.expectRevert(
            abi.encodeWithSelector(
                IStateCommitmentChain.StateCommitmentChainNotActiveValidator.selector,
                STRANGER
            )
        );
        _proposeAs(STRANGER, b);
    }

    function test_propose_revertsIfWrongPrevRoot() public {
        Built memory b = _honestBatch();
        b.prev = bytes32(uint256(7));
        vm.expectRevert(
            abi.encodeWithSelector(
                IStateCommitmentChain.StateCommitmentChainWrongPrevRoot.selector,
                genesis,
                b.prev
            )
        );
        _propose(b);
    }

    function test_propose_revertsIfBatchEmptyTooLargeOrMismatched() public {
        IStateCommitmentChain.Transfer[] memory none = new IStateCommitmentChain.Transfer[](0);
        bytes32[] memory noRoots = new bytes32[](0);
        vm.expectRevert(
            abi.encodeWithSelector(IStateCommitmentChain.StateCommitmentChainInvalidBatch.selector, 0, 0, 8)
        );
        vm.prank(PROPOSER);
        scc.propose(genesis, none, noRoots);

        IStateCommitmentChain.Transfer[] memory nine = new IStateCommitmentChain.Transfer[](9);
        bytes32[] memory nineRoots = new bytes32[](9);
        vm.expectRevert(
            abi.encodeWithSelector(IStateCommitmentChain.StateCommitmentChainInvalidBatch.selector, 9, 9, 8)
        );
        vm.prank(PROPOSER);
        scc.propose(genesis, nine, nineRoots);

        Built memory b = _honestBatch();
        bytes32[] memory two = new bytes32[](2);
        vm.expectRevert(
            abi.encodeWithSelector(IStateCommitmentChain.StateCommitmentChainInvalidBatch.selector, 3, 2, 8)
        );
        vm.prank(PROPOSER);
        scc.propose(genesis, b.txs, two);
    }

    function test_propose_chainsBatchesAndFinalAtNeverDecreases() public {
        uint256 first = _propose(_honestBatch());
        IStateCommitmentChain.Parameters memory p = _params();
        p.challengeWindow = 10 minutes;
        vm.prank(TIMELOCK);
        scc.setParameters(p);
        vm.warp(T0 + 1);
        uint256 second = _propose(_honestBatch());
        assertEq(scc.commitment(second).prevStateRoot, scc.commitment(first).newStateRoot);
        assertEq(scc.commitment(second).finalAt, T0 + WINDOW, "inherits the parent's later finalAt");
        assertEq(scc.chainLength(), 2);
    }

    function test_lastFinalPosition_tracksTheWindow() public {
        _propose(_honestBatch());
        vm.warp(T0 + 100);
        _propose(_honestBatch());
        vm.warp(T0 + 200);
        uint256 third = _propose(_honestBatch());
        assertEq(scc.lastFinalPosition(), 0);
        assertEq(scc.lastFinalStateRoot(), genesis);
        vm.warp(T0 + WINDOW + 100);
        assertEq(scc.lastFinalPosition(), 2);
        assertEq(scc.lastFinalStateRoot(), scc.commitment(2).newStateRoot);
        vm.warp(T0 + WINDOW + 200);
        assertEq(scc.lastFinalPosition(), 3);
        assertEq(uint256(scc.stateOf(third)), uint256(IStateCommitmentChain.CommitmentState.Final));
        assertEq(scc.lastFinalStateRoot(), scc.headStateRoot());
    }

    function test_views_unknownCommitment() public {
        assertEq(uint256(scc.stateOf(1)), uint256(IStateCommitmentChain.CommitmentState.None));
        assertEq(scc.commitmentAt(1), 0);
        vm.expectRevert(
            abi.encodeWithSelector(IStateCommitmentChain.StateCommitmentChainUnknownCommitment.selector, 1)
        );
        scc.commitment(1);
    }
}

/// @dev challenge: fraud, rollback, slashing, failed challenges and every revert.
contract StateCommitmentChainChallengeTest is StateCommitmentChainFixture {
    /// @dev Three commitments; the second lies about its step 1.
    function _chainWithFraud() internal returns (Built memory bad, uint256 badId) {
        _propose(_honestBatch());
        bad = _honestBatch();
        bad.postRoots[1] = keccak256("a lie");
        badId = _proposeAs(PROPOSER2, bad);
        // The third builds on the lie (its PROPOSER may not even know).
        Built memory next = _honestBatch();
        next.prev = bad.postRoots[2];
        _propose(next);
    }

    function test_challenge_provesFraudRollsBackSlashesAndRewards() public {
        (Built memory bad, uint256 badId) = _chainWithFraud();
        bytes32 head = scc.commitment(1).newStateRoot;
        IStateCommitmentChain.FraudProof memory p = _fraudProof(bad, badId, 1);
        uint256 balanceBefore = token.balanceOf(CHALLENGER);
        vm.expectEmit(address(scc));
        emit IStateCommitmentChain.StateRolledBack(badId, 1, head, 2, 2);
        vm.expectEmit(address(scc));
        emit IStateCommitmentChain.FraudProven(
            badId,
            CHALLENGER,
            PROPOSER2,
            1,
            p.postStateRoot,
            bad.steps[1].postRoot,
            100e18,
            50e18
        );
        assertTrue(_challenge(p));

        assertEq(scc.chainLength(), 1);
        assertEq(scc.headStateRoot(), head);
        assertEq(scc.rollbackCount(), 1);
        assertEq(uint256(scc.stateOf(badId)), uint256(IStateCommitmentChain.CommitmentState.Discarded));
        assertEq(uint256(scc.stateOf(3)), uint256(IStateCommitmentChain.CommitmentState.Discarded));
        assertEq(uint256(scc.stateOf(1)), uint256(IStateCommitmentChain.CommitmentState.Pending));
        assertEq(scc.commitmentAt(2), 0);

        MockStakeManager.SlashCall memory s = stake.slashAt(0);
        assertEq(s.validator, PROPOSER2);
        assertEq(s.bps, 1_000);
        assertEq(s.faultAt, T0);
        assertEq(s.rewardRecipient, CHALLENGER);
        assertEq(s.incidentId, badId);
        assertEq(stake.rewardOf(CHALLENGER), 50e18, "reward capped at 50e18 of 100e18 * 50%");
        assertEq(token.balanceOf(CHALLENGER), balanceBefore, "bond kept");
        _assertLastAudit(scc.FRAUD_ROLLBACK(), CHALLENGER, PROPOSER2, badId);
    }

    function test_challenge_newBatchesReuseThePositionAfterRollback() public {
        (Built memory bad, uint256 badId) = _chainWithFraud();
        _challenge(_fraudProof(bad, badId, 1));
        // The model is past the head now; propose a one-step no-op batch from the head instead.
        IStateCommitmentChain.Transfer[] memory none = new IStateCommitmentChain.Transfer[](1);
        none[0] = _sign(carolPk, carol, carol, 0, 0); // a no-op: same account
        bytes32[] memory roots = new bytes32[](1);
        roots[0] = scc.headStateRoot();
        vm.prank(PROPOSER);
        uint256 id = scc.propose(roots[0], none, roots);
        assertEq(id, 4);
        assertEq(scc.commitment(id).position, 2);
        assertEq(scc.commitmentAt(2), 4);
        assertEq(uint256(scc.stateOf(badId)), uint256(IStateCommitmentChain.CommitmentState.Discarded));
        assertEq(uint256(scc.stateOf(id)), uint256(IStateCommitmentChain.CommitmentState.Pending));
    }

    function test_challenge_rollsBackEvenIfTheSlashReverts() public {
        (Built memory bad, uint256 badId) = _chainWithFraud();
        bytes memory reason = abi.encodeWithSignature("Error(string)", "no");
        vm.mockCallRevert(address(stake), abi.encodeWithSelector(MockStakeManager.slash.selector), reason);
        vm.expectEmit(address(scc));
        emit IStateCommitmentChain.ProposerSlashFailed(badId, PROPOSER2, reason);
        assertTrue(_challenge(_fraudProof(bad, badId, 1)));
        assertEq(scc.chainLength(), 1);
        assertEq(uint256(scc.stateOf(badId)), uint256(IStateCommitmentChain.CommitmentState.Discarded));
        assertEq(stake.rewardOf(CHALLENGER), 0);
        _assertLastAudit(scc.FRAUD_ROLLBACK(), CHALLENGER, PROPOSER2, badId);
    }

    function test_challenge_jailsTheProposerBeforeTheSlash() public {
        (Built memory bad, uint256 badId) = _chainWithFraud();
        vm.expectEmit(address(stake));
        emit IStakeManager.Jailed(PROPOSER2, block.timestamp + scc.FRAUD_JAIL_DURATION());
        vm.expectEmit(address(stake));
        emit IStakeManager.Slashed(PROPOSER2, badId, CHALLENGER, 100e18, 50e18, 50e18);
        assertTrue(_challenge(_fraudProof(bad, badId, 1)));
        assertTrue(stake.isJailed(PROPOSER2));
        assertEq(stake.jailedUntil(PROPOSER2), block.timestamp + 30 days);
        assertEq(scc.chainLength(), 1);
    }

    function test_challenge_rollsBackAndSlashesEvenIfTheJailReverts() public {
        (Built memory bad, uint256 badId) = _chainWithFraud();
        bytes memory reason = abi.encodeWithSignature("Error(string)", "no");
        vm.mockCallRevert(address(stake), abi.encodeWithSelector(MockStakeManager.jail.selector), reason);
        vm.expectEmit(address(scc));
        emit IStateCommitmentChain.ProposerJailFailed(badId, PROPOSER2, reason);
        assertTrue(_challenge(_fraudProof(bad, badId, 1)));
        assertEq(scc.chainLength(), 1);
        assertFalse(stake.isJailed(PROPOSER2));
        assertEq(stake.slashAt(0).validator, PROPOSER2);
    }

    function test_challenge_revertsIfTheSlashIsRefusedAsReentrant() public {
        // A challenge sent from inside a StakeManager payout (a hooked stake token) gets the slash refused by the
        // StakeManager's reentrancy guard; swallowing that would let the liar keep its stake.
        (Built memory bad, uint256 badId) = _chainWithFraud();
        bytes memory reason = abi.encodeWithSelector(
            ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector
        );
        vm.mockCallRevert(address(stake), abi.encodeWithSelector(MockStakeManager.slash.selector), reason);
        IStateCommitmentChain.FraudProof memory p = _fraudProof(bad, badId, 1);
        vm.prank(CHALLENGER);
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        scc.challenge(p);
        assertEq(scc.chainLength(), 3, "nothing rolled back");
        assertEq(uint256(scc.stateOf(badId)), uint256(IStateCommitmentChain.CommitmentState.Pending));
    }

    function test_challenge_revertsIfTheJailIsRefusedAsReentrant() public {
        (Built memory bad, uint256 badId) = _chainWithFraud();
        bytes memory reason = abi.encodeWithSelector(
            ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector
        );
        vm.mockCallRevert(address(stake), abi.encodeWithSelector(MockStakeManager.jail.selector), reason);
        IStateCommitmentChain.FraudProof memory p = _fraudProof(bad, badId, 1);
        vm.prank(CHALLENGER);
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        scc.challenge(p);
        assertEq(scc.chainLength(), 3, "nothing rolled back");
    }

    function test_challenge_revertsIfTheSlashRunsOutOfGas() public {
        (Built memory bad, uint256 badId) = _chainWithFraud();
        vm.etch(address(stake), address(new GasGuzzlingStake()).code);
        IStateCommitmentChain.FraudProof memory p = _fraudProof(bad, badId, 1);
        vm.prank(CHALLENGER);
        try scc.challenge{gas: 2_000_000}(p) {
            fail();
        } catch (bytes memory err) {
            assertEq(bytes4(err), IStateCommitmentChain.StateCommitmentChainSlashOutOfGas.selector);
        }
        assertEq(scc.chainLength(), 3, "nothing rolled back");
    }

    function test_challenge_failsAndForfeitsTheBondOnAValidStep() public {
        Built memory b = _honestBatch();
        uint256 id = _propose(b);
        vm.expectEmit(address(scc));
        emit IStateCommitmentChain.ChallengeFailed(id, CHALLENGER, 2, BOND);
        assertFalse(_challenge(_fraudProof(b, id, 2)));
        assertEq(token.balanceOf(TREASURY), BOND);
        assertEq(scc.chainLength(), 1);
        assertEq(scc.rollbackCount(), 0);
        assertEq(stake.slashCount(), 0);
        _assertLastAudit(scc.FRAUD_CHALLENGE_FAILED(), CHALLENGER, PROPOSER, id);
    }

    function test_challenge_provesAnAppliedInvalidTransfer() public {
        // The PROPOSER applies a transfer signed by the wrong key as if it were valid.
        IStateCommitmentChain.Transfer[] memory txs = new IStateCommitmentChain.Transfer[](1);
        txs[0] = _sign(bobPk, alice, bob, 100, 0);
        Built memory b = _build(txs);
        uint256 id = _propose(b);
        assertTrue(_challenge(_fraudProof(b, id, 0)));
        assertEq(scc.headStateRoot(), genesis);
    }

    // ---------------------------------------------------------------- domain separation (issue #8)

    function test_ledgerDomainSeparator_bindsChainIdAndContract() public {
        bytes32 expected = keccak256(
            abi.encode(
                keccak256(
                    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
                ),
                keccak256("healnet.ledger"),
                keccak256("1"),
                block.chainid,
                address(scc)
            )
        );
        assertEq(scc.ledgerDomainSeparator(), expected);
        StateCommitmentChain other = _secondChain();
        assertTrue(other.ledgerDomainSeparator() != expected, "another deployment, another domain");
        vm.chainId(block.chainid + 1);
        assertTrue(scc.ledgerDomainSeparator() != expected, "another chain id, another domain");
    }

    /// @dev A transfer signed for another chain id, applied as if valid, is fraud: the proposer is slashed.
    function test_challenge_provesAnAppliedTransferSignedForAnotherChainId() public {
        IStateCommitmentChain.Transfer[] memory txs = new IStateCommitmentChain.Transfer[](1);
        txs[0] = _signFor(block.chainid + 1, address(scc), alicePk, alice, bob, 100, 0);
        Built memory b = _build(txs);
        uint256 id = _propose(b);
        assertTrue(_challenge(_fraudProof(b, id, 0)));
        assertEq(scc.headStateRoot(), genesis);
        assertEq(uint256(scc.stateOf(id)), uint256(IStateCommitmentChain.CommitmentState.Discarded));
        assertEq(stake.slashAt(0).validator, PROPOSER);
    }

    /// @dev A transfer accepted on another StateCommitmentChain deployment (same genesis, same chain id) and
    ///      replayed here, applied as if valid, is fraud here.
    function test_challenge_provesATransferReplayedFromAnotherDeployment() public {
        StateCommitmentChain other = _secondChain();
        IStateCommitmentChain.Transfer[] memory txs = new IStateCommitmentChain.Transfer[](1);
        txs[0] = _signFor(block.chainid, address(other), alicePk, alice, bob, 100, 0);
        // Honest on the other deployment: the step stands there (a challenge of it fails).
        Built memory there = _build(txs);
        vm.prank(PROPOSER);
        uint256 thereId = other.propose(there.prev, there.txs, there.postRoots);
        token.transfer(STRANGER, BOND);
        vm.startPrank(STRANGER);
        token.approve(address(other), BOND);
        assertFalse(other.challenge(_fraudProof(there, thereId, 0)), "valid on its own deployment");
        vm.stopPrank();
        // Replayed here with the same post-root: fraud.
        uint256 id = _propose(there);
        assertTrue(_challenge(_fraudProof(there, id, 0)));
        assertEq(scc.headStateRoot(), genesis);
        assertEq(scc.rollbackCount(), 1);
    }

    /// @dev An honest proposer treats a replayed cross-domain transfer as a no-op; a challenge claiming it should
    ///      have applied fails and forfeits the bond.
    function test_challenge_failsAgainstAReplayedTransferKeptAsNoop() public {
        IStateCommitmentChain.Transfer[] memory txs = new IStateCommitmentChain.Transfer[](1);
        txs[0] = _signFor(block.chainid, address(_secondChain()), alicePk, alice, bob, 100, 0);
        Built memory b;
        b.prev = model.root();
        b.txs = txs;
        b.postRoots = new bytes32[](1);
        b.steps = new LedgerModel.Step[](1);
        b.steps[0] = model.noop(txs[0]);
        b.postRoots[0] = b.prev;
        uint256 id = _propose(b);
        uint256 before = token.balanceOf(CHALLENGER);
        assertFalse(_challenge(_fraudProof(b, id, 0)));
        assertEq(token.balanceOf(CHALLENGER), before - BOND);
        assertEq(scc.chainLength(), 1);
        assertEq(stake.slashCount(), 0);
    }

    /// @dev After a fork to another chain id, transfers signed before it no longer apply on the fork.
    function test_challenge_provesATransferSignedBeforeAChainIdChange() public {
        IStateCommitmentChain.Transfer[] memory txs = new IStateCommitmentChain.Transfer[](1);
        txs[0] = _sign(alicePk, alice, bob, 100, 0);
        vm.chainId(block.chainid + 7);
        Built memory b = _build(txs);
        uint256 id = _propose(b);
        assertTrue(_challenge(_fraudProof(b, id, 0)));
    }

    /// @dev Whatever other domain a transfer was signed for, applying it here is proven fraudulent.
    function testFuzz_challenge_crossDomainTransferAlwaysProven(
        uint64 chainId,
        address verifyingContract
    ) public {
        vm.assume(chainId != block.chainid || verifyingContract != address(scc));
        IStateCommitmentChain.Transfer[] memory txs = new IStateCommitmentChain.Transfer[](1);
        txs[0] = _signFor(chainId, verifyingContract, alicePk, alice, carol, 1, 0);
        Built memory b = _build(txs);
        uint256 id = _propose(b);
        assertTrue(_challenge(_fraudProof(b, id, 0)));
        assertEq(scc.chainLength(), 0);
    }

    /// @dev A second deployment of the chain behind its own proxy, from the same genesis.
    function _secondChain() internal returns (StateCommitmentChain other) {
        other = StateCommitmentChain(
            address(
                new ERC1967Proxy(
                    _newImplementation(),
                    _initData(IStateCommitmentChain.LedgerConfig(genesis, DEPTH), _params())
                )
            )
        );
    }

    function test_challenge_revertsIfUnknown() public {
        Built memory b = _honestBatch();
        _propose(b);
        IStateCommitmentChain.FraudProof memory p = _fraudProof(b, 9, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IStateCommitmentChain.StateCommitmentChainUnknownCommitment.selector, 9)
        );
        _challenge(p);
    }

    function test_challenge_revertsIfFinal() public {
        Built memory b = _honestBatch();
        b.postRoots[0] = keccak256("lie");
        uint256 id = _propose(b);
        vm.warp(T0 + WINDOW);
        IStateCommitmentChain.FraudProof memory p = _fraudProof(b, id, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IStateCommitmentChain.StateCommitmentChainNotChallengeable.selector,
                id,
                IStateCommitmentChain.CommitmentState.Final
            )
        );
        _challenge(p);
    }

    function test_challenge_revertsIfDiscarded() public {
        (Built memory bad, uint256 badId) = _chainWithFraud();
        IStateCommitmentChain.FraudProof memory p = _fraudProof(bad, badId, 1);
        _challenge(p);
        vm.expectRevert(
            abi.encodeWithSelector(
                IStateCommitmentChain.StateCommitmentChainNotChallengeable.selector,
                badId,
                IStateCommitmentChain.CommitmentState.Discarded
            )
        );
        _challenge(p);
    }

    function test_challenge_revertsIfStepNotInCommitment() public {
        Built memory b = _honestBatch();
        uint256 id = _propose(b);
        IStateCommitmentChain.FraudProof memory p = _fraudProof(b, id, 1);
        p.step = 3; // out of range
        vm.expectRevert(
            abi.encodeWithSelector(IStateCommitmentChain.StateCommitmentChainInvalidStepProof.selector, id, 3)
        );
        _challenge(p);
        p.step = 0; // proof of step 1 presented as step 0
        vm.expectRevert(
            abi.encodeWithSelector(IStateCommitmentChain.StateCommitmentChainInvalidStepProof.selector, id, 0)
        );
        _challenge(p);
        p = _fraudProof(b, id, 1);
        p.postStateRoot = keccak256("other claim"); // not what was committed
        vm.expectRevert(
            abi.encodeWithSelector(IStateCommitmentChain.StateCommitmentChainInvalidStepProof.selector, id, 1)
        );
        _challenge(p);
        p = _fraudProof(b, id, 1);
        p.stepSiblings = new bytes32[](1); // wrong length
        vm.expectRevert(
            abi.encodeWithSelector(IStateCommitmentChain.StateCommitmentChainInvalidStepProof.selector, id, 1)
        );
        _challenge(p);
    }

    function test_challenge_revertsIfAccountProofInvalid() public {
        Built memory b = _honestBatch();
        uint256 id = _propose(b);
        IStateCommitmentChain.FraudProof memory p = _fraudProof(b, id, 0);
        p.from.account.balance += 1_000; // a richer sender than the tree holds
        vm.expectRevert(
            abi.encodeWithSelector(
                IStateCommitmentChain.StateCommitmentChainInvalidAccountProof.selector,
                alice,
                p.preStateRoot
            )
        );
        _challenge(p);
        p = _fraudProof(b, id, 0);
        p.to.siblings = new bytes32[](DEPTH - 1);
        vm.expectRevert();
        _challenge(p);
        assertEq(token.balanceOf(TREASURY), 0, "nothing taken");
    }

    function test_challenge_revertsIfNoBondForAFailedChallenge() public {
        Built memory b = _honestBatch();
        uint256 id = _propose(b);
        IStateCommitmentChain.FraudProof memory p = _fraudProof(b, id, 0);
        vm.expectRevert();
        vm.prank(STRANGER);
        scc.challenge(p);
        assertEq(scc.chainLength(), 1);
    }
}

/// @dev The two properties of the fraud proof.
contract StateCommitmentChainFuzzTest is StateCommitmentChainFixture {
    function _randomBatch(uint256 seed) internal returns (Built memory) {
        uint256 n = bound(seed, 1, 6);
        IStateCommitmentChain.Transfer[] memory txs = new IStateCommitmentChain.Transfer[](n);
        address[3] memory who = [alice, bob, carol];
        uint256[3] memory pks = [alicePk, bobPk, carolPk];
        uint64[3] memory nonces = [model.nonceOf(alice), model.nonceOf(bob), model.nonceOf(carol)];
        uint128[3] memory balances = [model.balanceOf(alice), model.balanceOf(bob), model.balanceOf(carol)];
        for (uint256 i = 0; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            uint256 f = r % 3;
            uint256 to = (f + 1 + ((r >> 8) % 2)) % 3;
            uint128 amount = uint128((r >> 16) % (uint256(balances[f]) + 1));
            txs[i] = _sign(pks[f], who[f], who[to], amount, nonces[f]);
            ++nonces[f];
            balances[f] -= amount;
            balances[to] += amount;
        }
        return _build(txs);
    }

    /// @dev Any challenge of an honest commitment either reverts (bad proof) or fails; the chain never moves.
    function testFuzz_challenge_validTransitionNeverProvenFraudulent(
        uint256 seed,
        uint256 step,
        uint8 what,
        bytes32 fake
    ) public {
        Built memory b = _randomBatch(seed);
        uint256 id = _propose(b);
        step = bound(step, 0, b.txs.length - 1);
        IStateCommitmentChain.FraudProof memory p = _fraudProof(b, id, step);
        // Tamper with one field of the proof (or none): a challenger's lie about the accounts. (p's account
        // proofs alias b.steps[step] in memory, so compare against a copy taken first.)
        bool changed = _tamper(p, what % 6, fake);
        vm.prank(CHALLENGER);
        try scc.challenge(p) returns (bool fraud) {
            assertFalse(fraud, "an honest step was proven fraudulent");
        } catch {
            assertTrue(changed, "only a tampered proof reverts");
        }
        assertEq(scc.chainLength(), 1);
        assertEq(uint256(scc.stateOf(id)), uint256(IStateCommitmentChain.CommitmentState.Pending));
        assertEq(stake.slashCount(), 0);
    }

    /// @dev Replaces one field of the proof; returns whether its value changed. 0: nothing.
    function _tamper(
        IStateCommitmentChain.FraudProof memory p,
        uint256 what,
        bytes32 fake
    ) internal pure returns (bool) {
        if (what == 1) {
            uint128 v = uint128(uint256(fake));
            bool changed = v != p.from.account.balance;
            p.from.account.balance = v;
            return changed;
        }
        if (what == 2) {
            uint64 v = uint64(uint256(fake));
            bool changed = v != p.from.account.nonce;
            p.from.account.nonce = v;
            return changed;
        }
        if (what == 3) {
            uint128 v = uint128(uint256(fake));
            bool changed = v != p.to.account.balance;
            p.to.account.balance = v;
            return changed;
        }
        if (what == 4) {
            uint256 level = uint256(fake) % p.from.siblings.length;
            bool changed = fake != p.from.siblings[level];
            p.from.siblings[level] = fake;
            return changed;
        }
        if (what == 5) {
            uint256 level = uint256(fake) % p.to.siblings.length;
            bool changed = fake != p.to.siblings[level];
            p.to.siblings[level] = fake;
            return changed;
        }
        return false;
    }

    /// @dev A transfer that breaks a rule but is applied as if valid is always proven.
    function testFuzz_challenge_appliedInvalidTransferAlwaysProven(
        uint256 seed,
        bool badSignature,
        uint64 nonceShift
    ) public {
        _propose(_randomBatch(seed));
        IStateCommitmentChain.Transfer[] memory txs = new IStateCommitmentChain.Transfer[](1);
        uint64 nonce = model.nonceOf(alice);
        if (badSignature) {
            txs[0] = _sign(bobPk, alice, carol, 1, nonce); // bob signs for alice
        } else {
            nonceShift = uint64(bound(nonceShift, 1, 1_000));
            txs[0] = _sign(alicePk, alice, carol, 1, nonce + nonceShift); // a nonce from the future
        }
        vm.assume(model.balanceOf(alice) >= 1);
        // The model (a dishonest proposer) applies it anyway, with the account's current nonce.
        Built memory b = _buildForcing(txs[0], nonce);
        uint256 id = _proposeAs(PROPOSER2, b);
        assertTrue(_challenge(_fraudProof(b, id, 0)));
        assertEq(scc.chainLength(), 1);
    }

    /// @dev One step applying `t` as if it were valid (debit with the account's nonce `nonce`, credit).
    function _buildForcing(
        IStateCommitmentChain.Transfer memory t,
        uint64 nonce
    ) internal returns (Built memory b) {
        IStateCommitmentChain.Transfer memory asValid = t;
        uint64 claimed = t.nonce;
        asValid.nonce = nonce;
        b.prev = model.root();
        b.txs = new IStateCommitmentChain.Transfer[](1);
        b.postRoots = new bytes32[](1);
        b.steps = new LedgerModel.Step[](1);
        b.steps[0] = model.applyValid(asValid);
        asValid.nonce = claimed;
        b.txs[0] = asValid;
        b.postRoots[0] = b.steps[0].postRoot;
    }

    /// @dev A lie at any step is proven at that step at any time inside the window, and rolls the chain back.
    function testFuzz_challenge_invalidTransitionAlwaysProvenInsideWindow(
        uint256 seed,
        uint256 step,
        bytes32 lie,
        uint256 elapsed
    ) public {
        _propose(_randomBatch(seed >> 1));
        Built memory b = _randomBatch(seed);
        step = bound(step, 0, b.txs.length - 1);
        vm.assume(lie != b.postRoots[step]);
        b.postRoots[step] = lie;
        uint256 id = _proposeAs(PROPOSER2, b);
        vm.warp(T0 + bound(elapsed, 0, WINDOW - 1));
        bytes32 head = scc.commitment(1).newStateRoot;
        assertTrue(_challenge(_fraudProof(b, id, step)));
        assertEq(scc.chainLength(), 1);
        assertEq(scc.headStateRoot(), head);
        assertEq(uint256(scc.stateOf(id)), uint256(IStateCommitmentChain.CommitmentState.Discarded));
        assertEq(stake.slashAt(0).validator, PROPOSER2);
    }
}

/// @dev Invariants under an honest proposer, a liar, a challenger and time (StateCommitmentChainHandler).
contract StateCommitmentChainInvariantTest is StateCommitmentChainFixture {
    StateCommitmentChainHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new StateCommitmentChainHandler(
            scc,
            model,
            PROPOSER,
            PROPOSER2,
            CHALLENGER,
            [alice, bob, carol],
            [alicePk, bobPk, carolPk]
        );
        targetContract(address(handler));
    }

    /// @dev Only the liar's stake is ever slashed.
    function invariant_onlyLiarsAreSlashed() public view {
        for (uint256 i = 0; i < stake.slashCount(); ++i) assertEq(stake.slashAt(i).validator, PROPOSER2);
    }

    /// @dev No honest step was ever proven fraudulent.
    function invariant_honestStepNeverProvenFraudulent() public view {
        assertFalse(handler.honestStepProvenFraudulent());
    }

    /// @dev Every challenge of a pending lie with a correct proof succeeded.
    function invariant_pendingLieAlwaysProven() public view {
        assertFalse(handler.lieNotProvenInsideWindow());
    }

    /// @dev A commitment once final stays final (a rollback never reaches behind the window).
    function invariant_finalNeverDiscarded() public view {
        for (uint256 i = 0; i < handler.finalSeenLength(); ++i) {
            assertEq(
                uint256(scc.stateOf(handler.finalSeen(i))),
                uint256(IStateCommitmentChain.CommitmentState.Final)
            );
        }
    }

    /// @dev A proven lie is discarded, and so is everything proposed on top of it.
    function invariant_provenLieDiscarded() public view {
        for (uint256 i = 0; i < handler.provenLiesLength(); ++i) {
            assertEq(
                uint256(scc.stateOf(handler.provenLies(i))),
                uint256(IStateCommitmentChain.CommitmentState.Discarded)
            );
        }
    }

    /// @dev The chain links root to root from the genesis, positions match, finalAt never decreases.
    function invariant_chainLinks() public view {
        bytes32 root = scc.genesisStateRoot();
        uint256 finalAt = 0;
        uint256 length = scc.chainLength();
        for (uint256 p = 1; p <= length; ++p) {
            IStateCommitmentChain.Commitment memory c = scc.commitment(scc.commitmentAt(p));
            assertEq(c.position, p, "position");
            assertEq(c.prevStateRoot, root, "link");
            assertGe(c.finalAt, finalAt, "finalAt");
            root = c.newStateRoot;
            finalAt = c.finalAt;
        }
        assertEq(scc.headStateRoot(), root, "head");
    }
}
