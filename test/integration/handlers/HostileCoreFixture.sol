// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {NodeHealth} from "../../../contracts/health/NodeHealth.sol";
import {INodeHealth} from "../../../contracts/interfaces/INodeHealth.sol";
import {IStakeManager} from "../../../contracts/interfaces/IStakeManager.sol";
import {IValidatorSet} from "../../../contracts/interfaces/IValidatorSet.sol";
import {StakeManager} from "../../../contracts/staking/StakeManager.sol";
import {SelfHealingValidatorSet} from "../../../contracts/validators/SelfHealingValidatorSet.sol";
import {CoreActors} from "./CoreActors.sol";

/// @dev The core (StakeManager, NodeHealth, SelfHealingValidatorSet behind ERC1967 proxies, wired as
///      src/suite/deploy.ts wires them) over a stake token the test chooses, eight registered validators and the
///      CoreActors clock and validators (honest 0..4, offline 5, flapper 6, escaper 7). The one place the
///      integration invariant tests (CoreInvariant.t.sol, HostileActorsInvariant.t.sol) deploy the core and set
///      its parameters.
abstract contract HostileCoreFixture is Test {
    uint256 internal constant N = 8;
    uint256 internal constant MAX_ACTIVE = 5;
    uint256 internal constant MIN_ACTIVE = 3;

    IERC20 internal token;
    StakeManager internal stake;
    NodeHealth internal health;
    SelfHealingValidatorSet internal set;
    CoreActors internal actors;
    address internal treasury = makeAddr("treasury");

    address[N] internal validators;
    address[N] internal signers;
    mapping(address validator => uint256) internal deposited;
    uint256 internal totalDeposited;

    /// @dev The stake token, holding 1e27 for this contract: HealToken unless the test overrides it.
    function _newToken() internal virtual returns (IERC20) {
        return IERC20(deployCode("HealToken.sol:HealToken", abi.encode(address(this), 1e27)));
    }

    function _setUpCore() internal {
        vm.warp(1_700_000_000);
        vm.roll(1_000);
        token = _newToken();
        _deployCore();
        _registerValidators();
        set.fillVacancies(MAX_ACTIVE);
        actors = CoreActors(
            deployCode("CoreActors.sol:CoreActors", abi.encode(set, health, validators, signers))
        );
    }

    /// deposited == bonded + unbonding + withdrawn + slashed, and the StakeManager holds exactly
    /// bonded + unbonding + rewardsOwed.
    function _assertStakeConserved(uint256 withdrawn) internal view {
        IStakeManager.Totals memory t = stake.totals();
        assertEq(t.deposited, t.bonded + t.unbonding + t.withdrawn + t.slashed, "deposited");
        assertEq(token.balanceOf(address(stake)), t.bonded + t.unbonding + t.rewardsOwed, "balance");
        assertEq(t.deposited, totalDeposited, "ghost deposited");
        assertEq(t.withdrawn, withdrawn, "ghost withdrawn");
    }

    function _deployCore() private {
        address impl = deployCode("StakeManager.sol:StakeManager");
        stake = StakeManager(
            address(
                new ERC1967Proxy(
                    impl,
                    abi.encodeCall(
                        StakeManager.initialize,
                        (address(this), token, treasury, 1_000 ether, 7 days)
                    )
                )
            )
        );
        INodeHealth.Parameters memory hp = INodeHealth.Parameters({
            heartbeatInterval: 10,
            gracePeriod: 10,
            maxHeartbeatAge: 60,
            uptimeWindow: 10,
            maxHeightLag: 50,
            stallReports: 3
        });
        impl = deployCode("NodeHealth.sol:NodeHealth");
        health = NodeHealth(
            address(
                new ERC1967Proxy(impl, abi.encodeCall(NodeHealth.initialize, (address(this), hp, uint32(10))))
            )
        );
        IValidatorSet.Parameters memory sp = IValidatorSet.Parameters({
            maxActive: uint16(MAX_ACTIVE),
            minActive: uint16(MIN_ACTIVE),
            minUptimeBps: 5_000,
            downtimeSlashBps: 100,
            doubleSignSlashBps: 500,
            correlatedFaultBps: 5_000,
            keeperRewardBps: 1_000,
            jailDuration: 600,
            appealWindow: 1 hours,
            stallEscalationDelay: 600,
            keeperRewardCap: 100 ether
        });
        impl = deployCode("SelfHealingValidatorSet.sol:SelfHealingValidatorSet");
        set = SelfHealingValidatorSet(
            address(
                new ERC1967Proxy(
                    impl,
                    abi.encodeCall(SelfHealingValidatorSet.initialize, (address(this), stake, health, sp))
                )
            )
        );
        // Wired as src/suite/deploy.ts does.
        stake.grantRole(stake.SLASHER_ROLE(), address(set));
        stake.grantRole(stake.JAILER_ROLE(), address(set));
        stake.setStakeObserver(address(set));
        health.grantRole(health.REGISTRAR_ROLE(), address(set));
    }

    /// @dev Offline, flapper and escaper have the most stake, so they start in the active set with two honest
    ///      validators; the other three honest ones are the backups that replace them.
    function _registerValidators() private {
        uint256[N] memory order = [uint256(3), 4, 5, 6, 7, 0, 1, 2];
        for (uint256 i; i < N; ++i) {
            validators[i] = makeAddr(string.concat("validator", vm.toString(i)));
            signers[i] = makeAddr(string.concat("signer", vm.toString(i)));
            uint256 amount = 5_000 ether - order[i] * 100 ether;
            token.transfer(validators[i], amount);
            vm.startPrank(validators[i]);
            token.approve(address(stake), amount);
            stake.bond(amount);
            set.registerCandidate(signers[i]);
            vm.stopPrank();
            deposited[validators[i]] = amount;
            totalDeposited += amount;
            vm.prank(signers[i]);
            health.heartbeat(
                INodeHealth.HealthReport({
                    blockHeight: uint64(block.number - 1),
                    blockHash: bytes32(uint256(1)),
                    peerCount: 25,
                    latencyMs: 40,
                    diskUsedBps: 3_000,
                    clientVersionHash: keccak256("healnet-node/1.0.0")
                })
            );
        }
    }
}
