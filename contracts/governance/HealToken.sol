// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

/// @title HealToken
/// @notice The healnet stake token: validators bond it in the StakeManager, and its holders govern the
///         network's parameters through the Governor (ERC20Votes checkpoints, ERC-2612 permits).
/// @dev The whole supply is minted once, at construction, to `initialHolder`; there is no mint function,
///      so the supply can only shrink (it cannot be inflated by a compromised role).
contract HealToken is ERC20, ERC20Permit, ERC20Votes {
    /// @param initialHolder Receives the whole supply (a treasury, a distributor, or a test fixture).
    /// @param initialSupply The fixed total supply, in wei (18 decimals).
    constructor(
        address initialHolder,
        uint256 initialSupply
    ) ERC20("healnet stake", "HEAL") ERC20Permit("healnet stake") {
        _mint(initialHolder, initialSupply);
    }

    /// @inheritdoc Nonces
    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    /// @dev Both ERC20 and ERC20Votes define `_update`; Votes moves the checkpoints.
    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }
}
