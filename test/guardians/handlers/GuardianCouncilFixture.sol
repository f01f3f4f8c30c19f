// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test, Vm} from "forge-std/Test.sol";

import {GuardianCouncil} from "../../../contracts/guardians/GuardianCouncil.sol";
import {IAuditLog} from "../../../contracts/interfaces/IAuditLog.sol";
import {IGuardianCouncil} from "../../../contracts/interfaces/IGuardianCouncil.sol";
import {IRecoveryManager} from "../../../contracts/interfaces/IRecoveryManager.sol";
import {ISnapshotRegistry} from "../../../contracts/interfaces/ISnapshotRegistry.sol";
import {MockRecoveryManager} from "../../../contracts/mocks/MockRecoveryManager.sol";
import {MockSnapshotRegistry} from "../../../contracts/mocks/MockSnapshotRegistry.sol";
import {AuditLog} from "../../../contracts/recovery/AuditLog.sol";
import {AuditLogDeployer} from "../../recovery/handlers/AuditLogDeployer.sol";
import {GuardianCouncilDeployer, GuardianCouncilMocksDeployer} from "./GuardianCouncilDeployer.sol";

/// @notice A contract guardian (a stand-in for a Safe): approves EIP-1271 checks for digests its owner signed
///         (unless told to refuse), and forwards calls so it can propose, approve and veto on-chain.
contract MockERC1271Guardian {
    address public immutable owner;
    bool public refuse;

    constructor(address owner_) {
        owner = owner_;
    }

    function setRefuse(bool value) external {
        refuse = value;
    }

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        if (refuse || signature.length != 65) return 0xffffffff;
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        return ecrecover(hash, v, r, s) == owner ? this.isValidSignature.selector : bytes4(0xffffffff);
    }

    function exec(address target, bytes calldata data) external returns (bytes memory) {
        (bool ok, bytes memory ret) = target.call(data);
        if (!ok) {
            assembly {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        return ret;
    }
}

/// @notice Shared set-up for the GuardianCouncil tests: 5 guardians (sorted by address), M = 3, default delays,
///         mock recovery manager and snapshot registry, a real AuditLog behind a proxy.
abstract contract GuardianCouncilFixture is Test {
    uint16 internal constant M = 3;
    uint256 internal constant N = 5;
    uint32 internal constant OPERATIONAL = 4 hours;
    uint32 internal constant GOVERNANCE = 2 days;
    uint32 internal constant LIFETIME = 7 days;
    bytes32 internal constant APPROVAL_TYPEHASH = keccak256(
        "Approval(uint256 proposalId,bytes32 actionHash,uint64 guardianEpoch)"
    );
    uint256 internal constant SECP256K1_N =
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    GuardianCouncil internal council;
    AuditLog internal auditLog;
    MockRecoveryManager internal recovery;
    MockSnapshotRegistry internal snapshots;
    address internal admin = makeAddr("admin");
    address internal stranger = makeAddr("stranger");
    address internal validator = makeAddr("validator");
    address[] internal gs;
    mapping(address => uint256) internal keyOf;

    function setUp() public virtual {
        (recovery, snapshots) = GuardianCouncilMocksDeployer.mocks();
        auditLog = AuditLogDeployer.deploy(admin);
        gs = _makeGuardians("guardian", N);
        council = _deployCouncil(gs, M, _defaultDelays());
        bytes32 role = auditLog.APPENDER_ROLE();
        vm.prank(admin);
        auditLog.grantRole(role, address(council));
    }

    // ------------------------------------------------------------------------------------ deployment

    function _defaultDelays() internal pure returns (IGuardianCouncil.Delays memory) {
        return IGuardianCouncil.Delays(OPERATIONAL, GOVERNANCE, LIFETIME);
    }

    function _initData(
        address[] memory guardians_,
        uint16 threshold_,
        IGuardianCouncil.Delays memory delays_
    ) internal view returns (bytes memory) {
        return
            abi.encodeCall(
                GuardianCouncil.initialize,
                (
                    guardians_,
                    threshold_,
                    delays_,
                    IRecoveryManager(address(recovery)),
                    ISnapshotRegistry(address(snapshots)),
                    IAuditLog(address(auditLog))
                )
            );
    }

    function _deployCouncil(
        address[] memory guardians_,
        uint16 threshold_,
        IGuardianCouncil.Delays memory delays_
    ) internal returns (GuardianCouncil) {
        GuardianCouncil impl = GuardianCouncilDeployer.implementation();
        return
            GuardianCouncil(
                GuardianCouncilMocksDeployer.proxy(address(impl), _initData(guardians_, threshold_, delays_))
            );
    }

    /// @dev `count` fresh EOA guardians, sorted by ascending address, keys remembered in `keyOf`.
    function _makeGuardians(string memory label, uint256 count) internal returns (address[] memory list) {
        list = new address[](count);
        for (uint256 i = 0; i < count; ++i) {
            (address a, uint256 k) = makeAddrAndKey(string.concat(label, vm.toString(i)));
            keyOf[a] = k;
            list[i] = a;
        }
        _sort(list);
    }

    function _sort(address[] memory list) internal pure {
        for (uint256 i = 1; i < list.length; ++i) {
            address x = list[i];
            uint256 j = i;
            while (j > 0 && list[j - 1] > x) {
                list[j] = list[j - 1];
                --j;
            }
            list[j] = x;
        }
    }

    // ------------------------------------------------------------------------------------ actions

    function _pauseData(uint64 duration) internal pure returns (bytes memory) {
        return abi.encode(duration);
    }

    function _propose(
        address guardian,
        IGuardianCouncil.ActionType t,
        bytes memory data
    ) internal returns (uint256 id) {
        vm.prank(guardian);
        id = council.propose(t, data);
    }

    /// @dev Proposed by gs[0], approved by gs[1] .. gs[M-1]: Queued (or Ready for emergency actions).
    function _queued(IGuardianCouncil.ActionType t, bytes memory data) internal returns (uint256 id) {
        id = _propose(gs[0], t, data);
        for (uint256 i = 1; i < M; ++i) {
            vm.prank(gs[i]);
            council.approve(id);
        }
    }

    function _ready(IGuardianCouncil.ActionType t, bytes memory data) internal returns (uint256 id) {
        id = _queued(t, data);
        vm.warp(council.executableAt(id));
    }

    function _executed(IGuardianCouncil.ActionType t, bytes memory data) internal returns (uint256 id) {
        id = _ready(t, data);
        council.execute(id);
    }

    function _changeGuardians(address[] memory add, address[] memory remove, uint16 newThreshold) internal {
        _executed(IGuardianCouncil.ActionType.ChangeGuardians, abi.encode(add, remove, newThreshold));
    }

    // ------------------------------------------------------------------------------------ signatures

    function _sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    /// @dev The same signature with s' = n - s and the other v: valid for ecrecover, refused by OZ ECDSA.
    function _highS(bytes memory sig) internal pure returns (bytes memory) {
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly {
            r := mload(add(sig, 32))
            s := mload(add(sig, 64))
            v := byte(0, mload(add(sig, 96)))
        }
        return abi.encodePacked(r, bytes32(SECP256K1_N - uint256(s)), v == 27 ? uint8(28) : uint8(27));
    }

    function _sigOf(
        address guardian,
        uint256 id
    ) internal view returns (IGuardianCouncil.GuardianSignature memory) {
        return
            IGuardianCouncil.GuardianSignature(guardian, _sign(keyOf[guardian], council.approvalDigest(id)));
    }

    function _digest(uint256 id, bytes32 actionHash, uint64 epoch) internal view returns (bytes32) {
        bytes32 domain = keccak256(
            abi.encode(
                keccak256(
                    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
                ),
                keccak256("healnet GuardianCouncil"),
                keccak256("1"),
                block.chainid,
                address(council)
            )
        );
        bytes32 structHash = keccak256(abi.encode(APPROVAL_TYPEHASH, id, actionHash, epoch));
        return keccak256(abi.encodePacked("\x19\x01", domain, structHash));
    }

    function _actionHash(IGuardianCouncil.ActionType t, bytes memory data) internal pure returns (bytes32) {
        return keccak256(abi.encode(t, keccak256(data)));
    }

    // ------------------------------------------------------------------------------------ audit

    /// @dev The head the AuditLog must have after the council appended `kind` (actor, subject, refId, dataHash)
    ///      on top of `head` at position `index`, now.
    function _foldAudit(
        bytes32 head,
        uint256 index,
        bytes32 kind,
        address actor,
        address subject,
        uint256 refId,
        bytes32 dataHash
    ) internal view returns (bytes32) {
        bytes32 entryHash = keccak256(
            abi.encode(
                index,
                kind,
                actor,
                subject,
                refId,
                dataHash,
                uint64(block.timestamp),
                address(council)
            )
        );
        return keccak256(abi.encode(head, entryHash));
    }

    /// @dev Folds the AuditEntryAppended events of `logs` emitted by the AuditLog on top of `head`, recomputing
    ///      each entry hash from its fields.
    function _foldLogs(bytes32 head, Vm.Log[] memory logs) internal view returns (bytes32, uint256 entries) {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (
                logs[i].emitter != address(auditLog) ||
                logs[i].topics[0] != IAuditLog.AuditEntryAppended.selector
            ) {
                continue;
            }
            (address subject, uint256 refId, bytes32 dataHash, uint64 timestamp, address source, , ) = abi
                .decode(logs[i].data, (address, uint256, bytes32, uint64, address, bytes32, bytes32));
            bytes32 entryHash = keccak256(
                abi.encode(
                    uint256(logs[i].topics[1]),
                    logs[i].topics[2],
                    address(uint160(uint256(logs[i].topics[3]))),
                    subject,
                    refId,
                    dataHash,
                    timestamp,
                    source
                )
            );
            head = keccak256(abi.encode(head, entryHash));
            ++entries;
        }
        return (head, entries);
    }
}
