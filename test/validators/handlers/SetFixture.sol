// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {IValidatorSet} from "../../../contracts/interfaces/IValidatorSet.sol";
import {INodeHealth} from "../../../contracts/interfaces/INodeHealth.sol";
import {IStakeManager} from "../../../contracts/interfaces/IStakeManager.sol";
import {MockNodeHealth} from "../../../contracts/mocks/MockNodeHealth.sol";
import {MockStakeManager} from "../../../contracts/mocks/MockStakeManager.sol";
import {SelfHealingValidatorSet} from "../../../contracts/validators/SelfHealingValidatorSet.sol";

/// @dev Deploys the set behind an ERC1967Proxy with mocks, and helpers to make candidates.
abstract contract SetFixture is Test {
    uint256 internal constant T0 = 1_000_000;
    uint256 internal constant B0 = 1_000;
    uint64 internal constant HEIGHT = 500;

    MockNodeHealth internal health;
    MockStakeManager internal stake;
    SelfHealingValidatorSet internal set;
    address internal admin = makeAddr("admin");
    address internal keeper = makeAddr("keeper");

    mapping(address validator => uint256 key) internal signerKeyOf;

    function _defaultParams() internal pure returns (IValidatorSet.Parameters memory) {
        return
            IValidatorSet.Parameters({
                maxActive: 21,
                minActive: 4,
                minUptimeBps: 5_000,
                downtimeSlashBps: 100,
                doubleSignSlashBps: 500,
                correlatedFaultBps: 3_300,
                keeperRewardBps: 1_000,
                jailDuration: 600,
                appealWindow: 1 days,
                stallEscalationDelay: 600,
                keeperRewardCap: 100e18
            });
    }

    function _deploy(IValidatorSet.Parameters memory p) internal {
        vm.warp(T0);
        vm.roll(B0);
        health = new MockNodeHealth();
        stake = new MockStakeManager();
        SelfHealingValidatorSet impl = new SelfHealingValidatorSet();
        bytes memory init = abi.encodeCall(
            SelfHealingValidatorSet.initialize,
            (admin, IStakeManager(address(stake)), INodeHealth(address(health)), p)
        );
        set = SelfHealingValidatorSet(address(new ERC1967Proxy(address(impl), init)));
        stake.setStakeObserver(address(set));
        health.setBestHeight(HEIGHT);
        vm.startPrank(admin);
        set.grantRole(set.PARAMETER_ROLE(), admin);
        set.grantRole(set.PAUSER_ROLE(), admin);
        vm.stopPrank();
    }

    /// @dev A registered, live, in-sync candidate with `amount` bonded.
    function _candidate(string memory name, uint256 amount) internal returns (address v) {
        v = makeAddr(name);
        (address signer, uint256 key) = makeAddrAndKey(string.concat(name, "-signer"));
        signerKeyOf[v] = key;
        stake.setBondedSilently(v, amount);
        health.beat(v, HEIGHT);
        vm.prank(v);
        set.registerCandidate(signer);
    }

    /// @dev `n` candidates with stakes 1000, 999, ... (in ether), promoted.
    function _fill(uint256 n) internal returns (address[] memory vs) {
        vs = new address[](n);
        for (uint256 i = 0; i < n; ++i)
            vs[i] = _candidate(string.concat("v", vm.toString(i)), (1_000 - i) * 1 ether);
        set.fillVacancies(n);
    }

    function _beatAll() internal {
        address[] memory active = set.activeValidators();
        for (uint256 i = 0; i < active.length; ++i) health.beat(active[i], health.bestHeight());
        uint256 n = set.backupCount();
        address[] memory backups = set.backupValidators(0, n);
        for (uint256 i = 0; i < n; ++i) health.beat(backups[i], health.bestHeight());
    }

    function _signVote(
        address v,
        IValidatorSet.Vote memory vote
    ) internal view returns (IValidatorSet.Vote memory) {
        (uint8 sv, bytes32 r, bytes32 s) = vm.sign(signerKeyOf[v], set.voteDigest(vote));
        vote.r = r;
        vote.vs = bytes32(uint256(s) | (uint256(sv - 27) << 255));
        return vote;
    }

    function _doubleSign(address v) internal view returns (IValidatorSet.DoubleSignEvidence memory e) {
        e.first = _signVote(v, IValidatorSet.Vote(10, 0, keccak256("a"), 0, 0));
        e.second = _signVote(v, IValidatorSet.Vote(10, 0, keccak256("b"), 0, 0));
    }
}
