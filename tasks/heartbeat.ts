/**
 * `heal heartbeat`: sends one heartbeat from `--from` (a registered signer key), reporting the connected
 * node's latest block, its peer count and the latency of the read.
 */
import { id, ZeroAddress } from "ethers";

import { connectSuite, HealError, healAction, signerOf } from "./common.js";

export interface HeartbeatArgs {
  from: string;
  addresses: string;
}

export default healAction("heartbeat", async (args: HeartbeatArgs, hre) => {
  const c = await connectSuite(hre, args.addresses);
  const signer = await signerOf(c, args.from);
  const { health } = c.suite.contracts;
  const validator = await health.validatorOfSigner(signer.address);
  if (validator === ZeroAddress) {
    throw new HealError(
      `${signer.address} is not a registered heartbeat signer (pass a validator's signer with --from)`,
    );
  }
  const provider = c.ethers.provider;
  const started = performance.now();
  const block = await provider.getBlock("latest");
  const latencyMs = Math.round(performance.now() - started);
  if (block === null || block.hash === null) throw new HealError("the node returned no latest block");
  const peers = await provider.send("net_peerCount", []).then(
    (n: string) => Number(n),
    () => 0,
  );
  const version = await provider.send("web3_clientVersion", []).then(
    (v: string) => v,
    () => "unknown",
  );
  const report = {
    blockHeight: BigInt(block.number),
    blockHash: block.hash,
    peerCount: peers,
    latencyMs,
    diskUsedBps: 0,
    clientVersionHash: id(version),
  };
  const receipt = await (await health.connect(signer).heartbeat(report)).wait();
  console.log(`heartbeat for validator ${validator} at block ${block.number} (tx ${receipt?.hash})`);
  return { validator, blockNumber: block.number, transactionHash: receipt?.hash };
});
