/**
 * The chain client shared by healnet's agents, tasks and tests: a failover provider, a signer, a nonce
 * manager, a write-ahead intent log and a safe sender, composed once.
 *
 *   const chain = await makeChainClient({ urls, chainId: 31337n, privateKey, intentLogPath, maxFeePerGasCap });
 *   const r = await chain.send({ key: `checkHeartbeat:${v}:${epoch}`, contract: validatorSet,
 *     method: "checkHeartbeat", args: [v], alreadyHandled: ["ValidatorSetNotOverdue"] });
 *
 * It is contract-agnostic: callers pass ethers Contracts (or ABIs via `contract()`).
 */
import { BaseContract, type InterfaceAbi, type Signer, Wallet } from "ethers";

import { IntentLog, type IntentRecord } from "./intent-log.js";
import { NonceManager } from "./nonce.js";
import { FailoverProvider, type FailoverProviderOptions } from "./rpc.js";
import {
  type ChainLogger,
  type SendRequest,
  type SendResult,
  Sender,
  type SenderOptions,
  silentLogger,
} from "./sender.js";

export * from "./errors.js";
export * from "./intent-log.js";
export * from "./nonce.js";
export * from "./rpc.js";
export * from "./sender.js";

export interface ChainClientOptions {
  urls: FailoverProviderOptions["urls"];
  /** Expected chain id; every RPC must report it (if unset, they must all agree). */
  chainId?: bigint | number;
  /** Further RPC options (timeouts, cool-down, stale head...). */
  rpc?: Omit<FailoverProviderOptions, "urls" | "chainId">;
  /** The sending key: a private key (0x…), or a signer able to sign raw transactions. Never logged. */
  privateKey?: string;
  signer?: Signer;
  /** SQLite file of the intent log (`:memory:` for tests that do not restart). */
  intentLogPath: string;
  /** Hard cap on maxFeePerGas, in wei. */
  maxFeePerGasCap: bigint;
  sender?: Omit<
    SenderOptions,
    "provider" | "signer" | "nonces" | "log" | "chainId" | "maxFeePerGasCap" | "logger"
  >;
  logger?: ChainLogger;
}

export interface ChainClient {
  readonly provider: FailoverProvider;
  readonly signer: Signer;
  readonly address: string;
  readonly chainId: bigint;
  readonly nonces: NonceManager;
  readonly intents: IntentLog;
  readonly sender: Sender;
  /** A contract bound to the client's signer. */
  contract(address: string, abi: InterfaceAbi): BaseContract;
  send(req: SendRequest): Promise<SendResult>;
  /** Reconciles intents left by a previous run (done by `makeChainClient` too). */
  reconcile(resolve?: (key: string) => SendRequest | undefined): Promise<IntentRecord[]>;
  /** Stops waits in progress, closes the log and the provider. */
  close(): void;
}

/**
 * Builds the client and gets it ready: checks every RPC's chain id (refusing to start on a mismatch),
 * opens the intent log for this chain and address, syncs the nonce and reconciles unfinished intents.
 */
export async function makeChainClient(options: ChainClientOptions): Promise<ChainClient> {
  const logger = options.logger ?? silentLogger;
  const provider = new FailoverProvider({ urls: options.urls, chainId: options.chainId, ...options.rpc });
  let log: IntentLog | null = null;
  try {
    const chainId = await provider.init();
    let signer: Signer;
    if (options.privateKey !== undefined) {
      signer = new Wallet(options.privateKey, provider);
    } else if (options.signer) {
      signer = options.signer.provider === provider ? options.signer : options.signer.connect(provider);
    } else {
      throw new Error("makeChainClient: give privateKey or signer");
    }
    const address = await signer.getAddress();
    log = await IntentLog.open(options.intentLogPath, { chainId, sender: address });
    const nonces = new NonceManager(provider, address);
    const sender = new Sender({
      ...options.sender,
      provider,
      signer,
      nonces,
      log,
      chainId,
      maxFeePerGasCap: options.maxFeePerGasCap,
      logger,
    });
    const intents = log;
    const open = await sender.reconcile();
    await nonces.sync();
    if (open.length > 0)
      logger.info("intents still in flight after restart", { intentKeys: open.map((i) => i.key) });
    return {
      provider,
      signer,
      address,
      chainId,
      nonces,
      intents,
      sender,
      contract: (addr, abi) => new BaseContract(addr, abi, signer),
      send: (req) => sender.send(req),
      reconcile: (resolve) => sender.reconcile(resolve),
      close() {
        sender.close();
        intents.close();
        provider.destroy();
      },
    };
  } catch (error) {
    log?.close();
    provider.destroy();
    throw error;
  }
}
