// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @dev What a HookToken recipient that registered a hook implements.
interface ITokenReceiver {
    /// @dev Called after `amount` tokens moved from `from` to the receiver, in the same call as the transfer.
    function onTokenReceived(address operator, address from, uint256 amount) external;
}

/// @dev A test-only stake token with an ERC-777-like receive hook (HealToken has none): after every transfer or
///      mint to an address that registered itself (as ERC-777 recipients do in the ERC-1820 registry), it calls
///      the recipient's `onTokenReceived` before returning, so the recipient runs code in the middle of the
///      payer's call. A reverting hook reverts the transfer. Used as the stake token of the re-entrant reward
///      receiver test only.
contract HookToken is ERC20 {
    mapping(address account => bool) public hooked;
    uint256 public hookCalls;

    constructor(address holder, uint256 supply) ERC20("Hook Token", "HOOK") {
        _mint(holder, supply);
    }

    /// @dev The caller asks to be called on every receipt.
    function registerHook() external {
        hooked[msg.sender] = true;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (to != address(0) && hooked[to]) {
            ++hookCalls;
            ITokenReceiver(to).onTokenReceived(msg.sender, from, value);
        }
    }
}
