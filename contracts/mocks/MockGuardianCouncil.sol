// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title MockGuardianCouncil
/// @notice Test double for the guardian views of IGuardianCouncil (isGuardian, threshold, guardianEpoch), all
///         settable, plus `call` so a test can act as the council contract itself. No access control.
contract MockGuardianCouncil {
    mapping(address account => bool) public isGuardian;
    uint16 public threshold = 1;
    uint64 public guardianEpoch = 1;

    function setGuardian(address account, bool guardian) external {
        isGuardian[account] = guardian;
    }

    function setThreshold(uint16 m) external {
        threshold = m;
    }

    /// @notice Bumps the guardian epoch (a guardian-set change), voiding older guardian attestations.
    function bumpEpoch() external {
        ++guardianEpoch;
    }

    /// @notice Calls `target` with `data` as the council (as an executed proposal would), bubbling reverts.
    function execute(address target, bytes calldata data) external returns (bytes memory) {
        // test double: forwards an arbitrary call.
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory ret) = target.call(data);
        if (!ok) {
            // bubble the revert data unchanged.
            // solhint-disable-next-line no-inline-assembly
            assembly {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        return ret;
    }
}
