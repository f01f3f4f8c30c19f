// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IGuardianCouncil} from "../../contracts/interfaces/IGuardianCouncil.sol";
import {GuardianCouncil} from "../../contracts/guardians/GuardianCouncil.sol";
import {GuardianCouncilFixture, MockERC1271Guardian} from "./handlers/GuardianCouncilFixture.sol";

/// approveBySig: sorting, guardianship, replay, ECDSA (high-s, malformed, wrong key) and EIP-1271 guardians.
contract GuardianCouncilSignaturesTest is GuardianCouncilFixture {
    IGuardianCouncil.ActionType internal constant FORGIVE = IGuardianCouncil.ActionType.Forgive;

    function _one(
        IGuardianCouncil.GuardianSignature memory s
    ) internal pure returns (IGuardianCouncil.GuardianSignature[] memory list) {
        list = new IGuardianCouncil.GuardianSignature[](1);
        list[0] = s;
    }

    function _two(
        IGuardianCouncil.GuardianSignature memory a,
        IGuardianCouncil.GuardianSignature memory b
    ) internal pure returns (IGuardianCouncil.GuardianSignature[] memory list) {
        list = new IGuardianCouncil.GuardianSignature[](2);
        list[0] = a;
        list[1] = b;
    }

    function test_approveBySig_countsSortedSignaturesFromAnyone() public {
        uint256 id = _propose(gs[0], FORGIVE, abi.encode(uint256(1)));
        vm.expectEmit(true, true, true, true, address(council));
        emit IGuardianCouncil.ProposalApproved(id, gs[1], 2);
        vm.expectEmit(true, true, true, true, address(council));
        emit IGuardianCouncil.ProposalApproved(id, gs[3], 3);
        vm.expectEmit(true, true, true, true, address(council));
        emit IGuardianCouncil.ProposalQueued(id, block.timestamp + OPERATIONAL);
        vm.prank(stranger);
        council.approveBySig(id, _two(_sigOf(gs[1], id), _sigOf(gs[3], id)));
        assertTrue(council.hasApproved(id, gs[1]));
        assertTrue(council.hasApproved(id, gs[3]));
        assertEq(council.proposal(id).approvals, 3);
        assertEq(uint8(council.stateOf(id)), uint8(IGuardianCouncil.ProposalState.Queued));
        assertEq(auditLog.auditLength(), 4, "one audit entry per approval");
    }

    function test_approveBySig_revertsIfUnsortedOrDuplicated() public {
        uint256 id = _propose(gs[0], FORGIVE, abi.encode(uint256(1)));
        IGuardianCouncil.GuardianSignature[] memory sigs1 = _two(_sigOf(gs[3], id), _sigOf(gs[1], id));
        vm.expectRevert(
            abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilUnsortedSignatures.selector, gs[3], gs[1])
        );
        council.approveBySig(id, sigs1);
        IGuardianCouncil.GuardianSignature[] memory sigs2 = _two(_sigOf(gs[2], id), _sigOf(gs[2], id));
        vm.expectRevert(
            abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilUnsortedSignatures.selector, gs[2], gs[2])
        );
        council.approveBySig(id, sigs2);
    }

    function test_approveBySig_revertsIfNotGuardian() public {
        uint256 id = _propose(gs[0], FORGIVE, abi.encode(uint256(1)));
        (address outsider, uint256 key) = makeAddrAndKey("outsider");
        IGuardianCouncil.GuardianSignature memory s = IGuardianCouncil.GuardianSignature(
            outsider,
            _sign(key, council.approvalDigest(id))
        );
        IGuardianCouncil.GuardianSignature[] memory sigs3 = _one(s);
        vm.expectRevert(
            abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilNotGuardian.selector, outsider)
        );
        council.approveBySig(id, sigs3);
    }

    function test_approveBySig_revertsOnReplay() public {
        uint256 id = _propose(gs[0], FORGIVE, abi.encode(uint256(1)));
        IGuardianCouncil.GuardianSignature memory s = _sigOf(gs[2], id);
        council.approveBySig(id, _one(s));
        IGuardianCouncil.GuardianSignature[] memory sigs4 = _one(s);
        vm.expectRevert(
            abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilAlreadyApproved.selector, id, gs[2])
        );
        council.approveBySig(id, sigs4);
        IGuardianCouncil.GuardianSignature[] memory sigs5 = _one(_sigOf(gs[0], id));
        vm.expectRevert(
            abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilAlreadyApproved.selector, id, gs[0])
        );
        council.approveBySig(id, sigs5);
    }

    function test_approveBySig_revertsIfSignatureInvalid() public {
        uint256 id = _propose(gs[0], FORGIVE, abi.encode(uint256(1)));
        uint256 other = _propose(gs[0], FORGIVE, abi.encode(uint256(2)));
        bytes32 digest = council.approvalDigest(id);
        bytes memory good = _sign(keyOf[gs[1]], digest);
        bytes[5] memory bad = [
            _sign(keyOf[gs[2]], digest), // wrong key
            _highS(good), // malleated
            abi.encodePacked(bytes32(uint256(1)), bytes32(uint256(2))), // 64 bytes
            bytes(""), // empty
            _sign(keyOf[gs[1]], council.approvalDigest(other)) // another proposal
        ];
        for (uint256 i = 0; i < bad.length; ++i) {
            IGuardianCouncil.GuardianSignature[] memory sigs6 = _one(
                IGuardianCouncil.GuardianSignature(gs[1], bad[i])
            );
            vm.expectRevert(
                abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilInvalidSignature.selector, gs[1])
            );
            council.approveBySig(id, sigs6);
        }
        council.approveBySig(id, _one(IGuardianCouncil.GuardianSignature(gs[1], good)));
        assertTrue(council.hasApproved(id, gs[1]));
    }

    function test_approveBySig_revertsIfSignedForAnotherEpoch() public {
        // A change of threshold bumps the epoch: old signatures and proposals are void.
        uint256 id = _propose(gs[0], FORGIVE, abi.encode(uint256(1)));
        bytes32 oldDigest = council.approvalDigest(id);
        _changeGuardians(new address[](0), new address[](0), 2);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGuardianCouncil.GuardianCouncilWrongState.selector,
                id,
                IGuardianCouncil.ProposalState.Expired
            )
        );
        council.approveBySig(
            id,
            _one(IGuardianCouncil.GuardianSignature(gs[1], _sign(keyOf[gs[1]], oldDigest)))
        );
        uint256 fresh = _propose(gs[0], FORGIVE, abi.encode(uint256(1)));
        vm.expectRevert(
            abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilInvalidSignature.selector, gs[1])
        );
        council.approveBySig(
            fresh,
            _one(IGuardianCouncil.GuardianSignature(gs[1], _sign(keyOf[gs[1]], oldDigest)))
        );
    }

    function test_approveBySig_revertsUnlessCollecting() public {
        uint256 id = _queued(FORGIVE, abi.encode(uint256(1)));
        IGuardianCouncil.GuardianSignature[] memory sigs7 = _one(_sigOf(gs[4], id));
        vm.expectRevert(
            abi.encodeWithSelector(
                IGuardianCouncil.GuardianCouncilWrongState.selector,
                id,
                IGuardianCouncil.ProposalState.Queued
            )
        );
        council.approveBySig(id, sigs7);
        IGuardianCouncil.GuardianSignature[] memory sigs8 = _one(_sigOf(gs[4], id));
        vm.expectRevert(abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilUnknownProposal.selector, 9));
        council.approveBySig(9, sigs8);
    }

    function test_approveBySig_acceptsEip1271Guardian() public {
        (address owner, uint256 ownerKey) = makeAddrAndKey("safeOwner");
        MockERC1271Guardian wallet = new MockERC1271Guardian(owner);
        address[] memory add = new address[](1);
        add[0] = address(wallet);
        _changeGuardians(add, new address[](0), M);

        uint256 id = _propose(gs[0], FORGIVE, abi.encode(uint256(1)));
        bytes memory sig = _sign(ownerKey, council.approvalDigest(id));
        wallet.setRefuse(true);
        IGuardianCouncil.GuardianSignature[] memory sigs9 = _one(
            IGuardianCouncil.GuardianSignature(address(wallet), sig)
        );
        vm.expectRevert(
            abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilInvalidSignature.selector, address(wallet))
        );
        council.approveBySig(id, sigs9);
        wallet.setRefuse(false);
        bytes memory wrongSigner = _sign(keyOf[gs[1]], council.approvalDigest(id));
        IGuardianCouncil.GuardianSignature[] memory wrong = _one(
            IGuardianCouncil.GuardianSignature(address(wallet), wrongSigner)
        );
        vm.expectRevert(
            abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilInvalidSignature.selector, address(wallet))
        );
        council.approveBySig(id, wrong);
        council.approveBySig(id, _one(IGuardianCouncil.GuardianSignature(address(wallet), sig)));
        assertTrue(council.hasApproved(id, address(wallet)));

        // A contract guardian also acts on-chain.
        uint256 other = abi.decode(
            wallet.exec(
                address(council),
                abi.encodeCall(IGuardianCouncil.propose, (FORGIVE, abi.encode(uint256(2))))
            ),
            (uint256)
        );
        assertEq(council.proposal(other).proposer, address(wallet));
    }

    function test_constants_matchSpec() public view {
        GuardianCouncil c = council;
        assertEq(c.MAX_GUARDIANS(), 32);
        assertEq(c.KIND_APPROVED(), keccak256("GUARDIAN_APPROVED"));
    }
}

/// approveBySig fuzzed against a reference model.
contract GuardianCouncilSignaturesFuzzTest is GuardianCouncilFixture {
    IGuardianCouncil.ActionType internal constant FORGIVE = IGuardianCouncil.ActionType.Forgive;

    /// Random signature sets (random order, duplicates, high-s, wrong keys, non-guardians, the proposer's replay)
    /// against a reference model: the first offending entry decides the exact error; otherwise all count.
    function testFuzz_approveBySig_matchesReferenceModel(uint256 seed, uint256 count) public {
        count = bound(count, 1, 8);
        address[] memory outsiders = _makeGuardians("outsider", 2);
        uint256 id = _propose(gs[0], FORGIVE, abi.encode(uint256(1)));
        bytes32 digest = council.approvalDigest(id);

        IGuardianCouncil.GuardianSignature[] memory list = new IGuardianCouncil.GuardianSignature[](count);
        bool sorted = uint256(keccak256(abi.encode(seed, "sorted"))) % 2 == 0;
        for (uint256 i = 0; i < count; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            address signer = r % 8 < 7 ? (r % 8 < 5 ? gs[r % 5] : outsiders[r % 2]) : gs[0];
            bytes memory sig = _sign(keyOf[signer], digest);
            uint256 mutation = (r >> 8) % 10;
            if (mutation == 0) sig = _highS(sig);
            else if (mutation == 1) sig = _sign(keyOf[gs[(r >> 16) % 5]] + 1, digest);
            else if (mutation == 2) sig = abi.encodePacked(bytes32(r));
            list[i] = IGuardianCouncil.GuardianSignature(signer, sig);
        }
        if (sorted) _sortSigs(list);

        bytes memory expected = _model(id, digest, list);
        if (expected.length != 0) {
            vm.expectRevert(expected);
            council.approveBySig(id, list);
            assertEq(council.proposal(id).approvals, 1);
        } else {
            council.approveBySig(id, list);
            assertEq(council.proposal(id).approvals, 1 + count);
            for (uint256 i = 0; i < count; ++i) assertTrue(council.hasApproved(id, list[i].guardian));
        }
    }

    function _model(
        uint256 id,
        bytes32 digest,
        IGuardianCouncil.GuardianSignature[] memory list
    ) internal view returns (bytes memory) {
        address previous = address(0);
        for (uint256 i = 0; i < list.length; ++i) {
            address g = list[i].guardian;
            if (g <= previous) {
                return
                    abi.encodeWithSelector(
                        IGuardianCouncil.GuardianCouncilUnsortedSignatures.selector,
                        previous,
                        g
                    );
            }
            previous = g;
            if (!council.isGuardian(g)) {
                return abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilNotGuardian.selector, g);
            }
            if (g == gs[0]) {
                return
                    abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilAlreadyApproved.selector, id, g);
            }
            if (!_validEcdsa(g, digest, list[i].signature)) {
                return abi.encodeWithSelector(IGuardianCouncil.GuardianCouncilInvalidSignature.selector, g);
            }
        }
        return "";
    }

    /// Independent check: 65 bytes, low s, v in {27, 28}, ecrecover == signer.
    function _validEcdsa(address signer, bytes32 digest, bytes memory sig) internal pure returns (bool) {
        if (sig.length != 65) return false;
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly {
            r := mload(add(sig, 32))
            s := mload(add(sig, 64))
            v := byte(0, mload(add(sig, 96)))
        }
        if (uint256(s) > SECP256K1_N / 2) return false;
        address recovered = ecrecover(digest, v, r, s);
        return recovered != address(0) && recovered == signer;
    }

    function _sortSigs(IGuardianCouncil.GuardianSignature[] memory list) internal pure {
        for (uint256 i = 1; i < list.length; ++i) {
            IGuardianCouncil.GuardianSignature memory x = list[i];
            uint256 j = i;
            while (j > 0 && list[j - 1].guardian > x.guardian) {
                list[j] = list[j - 1];
                --j;
            }
            list[j] = x;
        }
    }
}
