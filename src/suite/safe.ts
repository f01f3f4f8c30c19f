/**
 * Safe (v1.4.1) tooling: deploy the Safe infrastructure from the prebuilt artifacts of
 * `@safe-global/safe-contracts`, create a Safe, and execute a Safe transaction signed by its owners.
 *
 * A Safe can hold a healnet role in place of the GuardianCouncil (GUARDIAN_ROLE of the RecoveryManager) or, in
 * tests, any other role. Nothing here keeps state: every function takes what it needs.
 *
 * Signatures follow Safe's encoding (Safe.sol `checkNSignatures`): 65 bytes `r ‖ s ‖ v` per owner, sorted by
 * ascending owner address; an EIP-712 signature of the SafeTx is used as is (v = 27/28), an `eth_sign`
 * (EIP-191 personal message over the SafeTx hash) signature carries v + 4 (31/32).
 */
import { createRequire } from "node:module";

import {
  Contract,
  ContractFactory,
  Interface,
  Signature,
  TypedDataEncoder,
  ZeroAddress,
  concat,
  getAddress,
  getBytes,
  isHexString,
  verifyMessage,
  verifyTypedData,
} from "ethers";
import type {
  Addressable,
  BigNumberish,
  ContractRunner,
  InterfaceAbi,
  Signer,
  TransactionReceipt,
} from "ethers";

const require = createRequire(import.meta.url);

/** The fields of a Hardhat artifact that are used here. */
interface SafeArtifact {
  readonly contractName: string;
  readonly abi: InterfaceAbi;
  readonly bytecode: string;
}

const ARTIFACTS_DIR = "@safe-global/safe-contracts/build/artifacts/contracts";

function loadArtifact(relativePath: string, contractName: string): SafeArtifact {
  const artifact = require(`${ARTIFACTS_DIR}/${relativePath}`) as Partial<SafeArtifact>;
  if (
    artifact.contractName !== contractName ||
    artifact.abi === undefined ||
    typeof artifact.bytecode !== "string" ||
    !isHexString(artifact.bytecode) ||
    artifact.bytecode.length <= 2
  ) {
    throw new Error(`${ARTIFACTS_DIR}/${relativePath} is not the ${contractName} artifact with bytecode`);
  }
  return artifact as SafeArtifact;
}

/** The Safe singleton's artifact (ABI and bytecode). */
export const SAFE_ARTIFACT: SafeArtifact = loadArtifact("Safe.sol/Safe.json", "Safe");
/** The SafeProxyFactory's artifact. */
export const SAFE_PROXY_FACTORY_ARTIFACT: SafeArtifact = loadArtifact(
  "proxies/SafeProxyFactory.sol/SafeProxyFactory.json",
  "SafeProxyFactory",
);

/** The Safe ABI, to attach to a deployed Safe. */
export const SAFE_INTERFACE: Interface = new Interface(SAFE_ARTIFACT.abi);

/** Safe's `Enum.Operation`. Healnet only ever uses `Call`. */
export enum SafeOperation {
  Call = 0,
  DelegateCall = 1,
}

/** The deployed Safe singleton and proxy factory. */
export interface SafeInfrastructure {
  readonly singleton: Contract;
  readonly factory: Contract;
  readonly singletonAddress: string;
  readonly factoryAddress: string;
}

/** The call a Safe is asked to make. */
export interface SafeCall {
  readonly to: string;
  readonly value?: BigNumberish;
  readonly data?: string;
  readonly operation?: SafeOperation;
}

/** A complete SafeTx as Safe hashes it (EIP-712 type `SafeTx`). Gas refunds are not used: all zero. */
export interface SafeTransaction {
  readonly to: string;
  readonly value: bigint;
  readonly data: string;
  readonly operation: SafeOperation;
  readonly safeTxGas: bigint;
  readonly baseGas: bigint;
  readonly gasPrice: bigint;
  readonly gasToken: string;
  readonly refundReceiver: string;
  readonly nonce: bigint;
}

/** How an owner signs: EIP-712 typed data (v as is) or `eth_sign` over the SafeTx hash (v + 4). */
export type SafeSigningMethod = "eip712" | "eth_sign";

/** One owner's signature, in Safe's 65-byte encoding. */
export interface SafeSignature {
  readonly signer: string;
  readonly data: string;
}

/** EIP-712 types of a SafeTx (Safe.sol `SAFE_TX_TYPEHASH`). */
export const SAFE_TX_TYPES = {
  SafeTx: [
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "data", type: "bytes" },
    { name: "operation", type: "uint8" },
    { name: "safeTxGas", type: "uint256" },
    { name: "baseGas", type: "uint256" },
    { name: "gasPrice", type: "uint256" },
    { name: "gasToken", type: "address" },
    { name: "refundReceiver", type: "address" },
    { name: "nonce", type: "uint256" },
  ],
} as const;

/** What Safe's `GSxxx` revert codes mean (Safe v1.4.1), for error messages. */
export const SAFE_ERROR_CODES: Readonly<Record<string, string>> = {
  GS000: "could not finish the initialisation",
  GS001: "threshold needs to be defined",
  GS002: "a call to set up modules couldn't be executed because the destination account was not a contract",
  GS010: "not enough gas to execute the Safe transaction",
  GS011: "could not pay gas costs with ether",
  GS012: "could not pay gas costs with token",
  GS013: "the Safe transaction failed when gasPrice and safeTxGas were 0 (the inner call reverted)",
  GS020: "signatures data too short (fewer signatures than the threshold)",
  GS021: "invalid contract signature location: inside static part",
  GS022: "invalid contract signature location: length not present",
  GS023: "invalid contract signature location: data not complete",
  GS024: "invalid contract signature provided",
  GS025: "hash has not been approved",
  GS026:
    "invalid owner provided (a signer is not an owner, or the signatures are not sorted by ascending owner)",
  GS030: "only owners can approve a hash",
  GS031: "method can only be called from this contract",
  GS200: "owners have already been set up",
  GS201: "threshold cannot exceed owner count",
  GS202: "threshold needs to be greater than 0",
  GS203: "invalid owner address provided",
  GS204: "address is already an owner",
  GS205: "invalid prevOwner, owner pair provided",
};

/** A Safe refused (or failed) a transaction; `code` is the Safe's `GSxxx` revert code when one was found. */
export class SafeTransactionError extends Error {
  override readonly name = "SafeTransactionError";

  constructor(
    readonly safe: string,
    readonly code: string | undefined,
    readonly signatureCount: number,
    readonly threshold: bigint | undefined,
    options: { cause: unknown },
  ) {
    super(SafeTransactionError.describe(safe, code, signatureCount, threshold), options);
  }

  private static describe(
    safe: string,
    code: string | undefined,
    signatureCount: number,
    threshold: bigint | undefined,
  ): string {
    const what =
      code === undefined ? "reverted" : `reverted with ${code}: ${SAFE_ERROR_CODES[code] ?? "unknown code"}`;
    const counts = `${signatureCount} signature(s) given, threshold ${threshold?.toString() ?? "unknown"}`;
    return `Safe ${safe}: execTransaction ${what} (${counts})`;
  }
}

// ---------------------------------------------------------------------------------------------------- deploy

/** Deploys a Safe singleton and a SafeProxyFactory from the package's prebuilt artifacts. */
export async function deploySafeInfrastructure(signer: Signer): Promise<SafeInfrastructure> {
  const singleton = await deployArtifact(SAFE_ARTIFACT, signer);
  const factory = await deployArtifact(SAFE_PROXY_FACTORY_ARTIFACT, signer);
  return {
    singleton,
    factory,
    singletonAddress: await singleton.getAddress(),
    factoryAddress: await factory.getAddress(),
  };
}

async function deployArtifact(artifact: SafeArtifact, signer: Signer): Promise<Contract> {
  const factory = new ContractFactory(artifact.abi, artifact.bytecode, signer);
  const contract = await factory.deploy();
  await contract.waitForDeployment();
  // A ContractFactory deploys a BaseContract; re-attach as a Contract for its dynamic methods.
  return new Contract(await contract.getAddress(), artifact.abi, signer);
}

/** Options of {@link createSafe}. */
export interface CreateSafeOptions {
  /** CREATE2 salt nonce; defaults to the signer's next transaction nonce, which is unique per signer. */
  readonly saltNonce?: bigint;
  /** Fallback handler (e.g. CompatibilityFallbackHandler for EIP-1271); none by default. */
  readonly fallbackHandler?: string;
}

/**
 * Creates a Safe proxy (createProxyWithNonce + setup) with the given owners (any order) and threshold, and
 * returns its address. Fails before sending on an invalid owner list or threshold.
 */
export async function createSafe(
  infra: SafeInfrastructure,
  owners: readonly string[],
  threshold: number | bigint,
  signer: Signer,
  options: CreateSafeOptions = {},
): Promise<string> {
  const checked = owners.map((owner) => getAddress(owner));
  if (new Set(checked).size !== checked.length)
    throw new Error(`duplicate Safe owner in ${checked.join(", ")}`);
  if (checked.some((owner) => owner === ZeroAddress)) throw new Error("the zero address cannot own a Safe");
  const t = BigInt(threshold);
  if (t < 1n || t > BigInt(checked.length)) {
    throw new Error(`Safe threshold must be in 1..${checked.length} (the owner count), got ${t.toString()}`);
  }

  const initializer = SAFE_INTERFACE.encodeFunctionData("setup", [
    checked,
    t,
    ZeroAddress, // no setup delegatecall
    "0x",
    options.fallbackHandler ?? ZeroAddress,
    ZeroAddress, // no deployment payment
    0n,
    ZeroAddress,
  ]);
  const saltNonce = options.saltNonce ?? BigInt(await signer.getNonce("pending"));
  const factory = infra.factory.connect(signer) as Contract;
  const tx = await factory.getFunction("createProxyWithNonce")(
    infra.singletonAddress,
    initializer,
    saltNonce,
  );
  const receipt = (await tx.wait()) as TransactionReceipt | null;
  if (receipt === null) throw new Error("createProxyWithNonce: no receipt");
  const factoryAddress = infra.factoryAddress.toLowerCase();
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== factoryAddress) continue;
    const parsed = infra.factory.interface.parseLog(log);
    if (parsed?.name === "ProxyCreation") return getAddress(parsed.args[0] as string);
  }
  throw new Error(`createProxyWithNonce (tx ${receipt.hash}) emitted no ProxyCreation event`);
}

/** The Safe at `address`, connected to `runner`. */
export function safeAt(address: string, runner: ContractRunner): Contract {
  return new Contract(address, SAFE_INTERFACE, runner);
}

/** A Safe's owners, threshold, nonce and version, read in one go. */
export interface SafeState {
  readonly owners: readonly string[];
  readonly threshold: bigint;
  readonly nonce: bigint;
  readonly version: string;
}

/** Reads {@link SafeState} from the Safe at `safe`. */
export async function readSafeState(safe: Contract): Promise<SafeState> {
  const [owners, threshold, nonce, version] = await Promise.all([
    safe.getFunction("getOwners")() as Promise<string[]>,
    safe.getFunction("getThreshold")() as Promise<bigint>,
    safe.getFunction("nonce")() as Promise<bigint>,
    safe.getFunction("VERSION")() as Promise<string>,
  ]);
  return { owners: owners.map((o) => getAddress(o)), threshold, nonce, version };
}

// --------------------------------------------------------------------------------------------------- signing

/** Completes a call into a SafeTx at the Safe's current nonce (no gas refund). */
export async function buildSafeTransaction(safe: Contract, call: SafeCall): Promise<SafeTransaction> {
  return {
    to: getAddress(call.to),
    value: BigInt(call.value ?? 0n),
    data: call.data ?? "0x",
    operation: call.operation ?? SafeOperation.Call,
    safeTxGas: 0n,
    baseGas: 0n,
    gasPrice: 0n,
    gasToken: ZeroAddress,
    refundReceiver: ZeroAddress,
    nonce: BigInt(await safe.getFunction("nonce")()),
  };
}

/** The SafeTx hash as the Safe computes it (`getTransactionHash`). */
export async function safeTransactionHash(safe: Contract, safeTx: SafeTransaction): Promise<string> {
  return (await safe.getFunction("getTransactionHash")(
    safeTx.to,
    safeTx.value,
    safeTx.data,
    safeTx.operation,
    safeTx.safeTxGas,
    safeTx.baseGas,
    safeTx.gasPrice,
    safeTx.gasToken,
    safeTx.refundReceiver,
    safeTx.nonce,
  )) as string;
}

/**
 * One owner's signature of `safeTx` for the Safe at `safeAddress` on chain `chainId`, in Safe's encoding.
 * Checks that the EIP-712 hash computed here equals `expectedHash` (the Safe's own `getTransactionHash`), and
 * that the signature recovers to the signer, so a wrong chain id or a signer that signs something else fails
 * here, with a clear message, rather than on-chain as an opaque GS026.
 */
export async function signSafeTransaction(
  safeAddress: string,
  chainId: bigint,
  safeTx: SafeTransaction,
  expectedHash: string,
  signer: Signer,
  method: SafeSigningMethod = "eip712",
): Promise<SafeSignature> {
  const domain = { chainId, verifyingContract: getAddress(safeAddress) };
  const message = { ...safeTx, operation: safeTx.operation as number };
  const types = { SafeTx: [...SAFE_TX_TYPES.SafeTx] };
  const localHash = TypedDataEncoder.hash(domain, types, message);
  if (localHash !== expectedHash) {
    throw new Error(
      `SafeTx hash mismatch: computed ${localHash}, the Safe says ${expectedHash} (wrong chain id or Safe address?)`,
    );
  }
  const signerAddress = getAddress(await signer.getAddress());

  if (method === "eip712") {
    const data = await signer.signTypedData(domain, types, message);
    const recovered = verifyTypedData(domain, types, message, data);
    if (recovered !== signerAddress)
      throw new Error(`EIP-712 signature of ${signerAddress} recovers to ${recovered}`);
    return { signer: signerAddress, data: Signature.from(data).serialized };
  }

  const raw = Signature.from(await signer.signMessage(getBytes(expectedHash)));
  const recovered = verifyMessage(getBytes(expectedHash), raw);
  if (recovered !== signerAddress)
    throw new Error(`eth_sign signature of ${signerAddress} recovers to ${recovered}`);
  // Safe reads v > 30 as "eth_sign": it recovers from the EIP-191 message hash with v - 4.
  const v = raw.v + 4;
  return { signer: signerAddress, data: concat([raw.r, raw.s, new Uint8Array([v])]) };
}

/**
 * Concatenates signatures in Safe's order: ascending owner address. `sort: false` keeps the given order (only
 * for tests that check the Safe rejects unsorted signatures).
 */
export function encodeSignatures(
  signatures: readonly SafeSignature[],
  options: { sort?: boolean } = {},
): string {
  const ordered =
    options.sort === false
      ? [...signatures]
      : [...signatures].sort((a, b) => {
          const x = BigInt(a.signer);
          const y = BigInt(b.signer);
          return x < y ? -1 : x > y ? 1 : 0;
        });
  return ordered.length === 0 ? "0x" : concat(ordered.map((s) => s.data));
}

// --------------------------------------------------------------------------------------------------- execute

/** Options of {@link execSafeTransaction}. */
export interface ExecSafeTransactionOptions {
  readonly method?: SafeSigningMethod;
}

/**
 * Executes `call` from the Safe: builds the SafeTx at the current nonce, has each of `ownerSigners` sign it,
 * sorts the signatures by ascending owner, and sends execTransaction from `executor` (any account). Returns the
 * receipt. A refusal by the Safe (too few signatures, a non-owner, the inner call reverting, ...) throws a
 * {@link SafeTransactionError} that names the Safe's GS code, the number of signatures and the threshold.
 */
export async function execSafeTransaction(
  safe: string | Addressable,
  call: SafeCall,
  ownerSigners: readonly Signer[],
  executor: Signer,
  options: ExecSafeTransactionOptions = {},
): Promise<TransactionReceipt> {
  const safeAddress = typeof safe === "string" ? getAddress(safe) : getAddress(await safe.getAddress());
  const contract = safeAt(safeAddress, executor);
  const provider = executor.provider;
  if (provider === null) throw new Error("execSafeTransaction: the executor has no provider");
  const { chainId } = await provider.getNetwork();

  const safeTx = await buildSafeTransaction(contract, call);
  const hash = await safeTransactionHash(contract, safeTx);
  const signatures: SafeSignature[] = [];
  for (const owner of ownerSigners) {
    signatures.push(await signSafeTransaction(safeAddress, chainId, safeTx, hash, owner, options.method));
  }
  return execSafeTransactionWithSignatures(contract, safeTx, signatures, executor);
}

/**
 * Sends execTransaction with already collected signatures (`encodeSignatures` order unless `sort: false`).
 * Simulates first, so a refusal is reported with the Safe's GS code before any gas is spent.
 */
export async function execSafeTransactionWithSignatures(
  safe: Contract,
  safeTx: SafeTransaction,
  signatures: readonly SafeSignature[],
  executor: Signer,
  options: { sort?: boolean } = {},
): Promise<TransactionReceipt> {
  const contract = safe.connect(executor) as Contract;
  const safeAddress = await contract.getAddress();
  const args = [
    safeTx.to,
    safeTx.value,
    safeTx.data,
    safeTx.operation,
    safeTx.safeTxGas,
    safeTx.baseGas,
    safeTx.gasPrice,
    safeTx.gasToken,
    safeTx.refundReceiver,
    encodeSignatures(signatures, options),
  ] as const;
  const execTransaction = contract.getFunction("execTransaction");

  let receipt: TransactionReceipt | null;
  try {
    await execTransaction.staticCall(...args);
    const tx = await execTransaction(...args);
    receipt = (await tx.wait()) as TransactionReceipt | null;
  } catch (error) {
    throw new SafeTransactionError(
      safeAddress,
      safeErrorCode(error),
      signatures.length,
      await readThreshold(contract),
      { cause: error },
    );
  }
  if (receipt === null) throw new Error(`Safe ${safeAddress}: execTransaction has no receipt`);
  const succeeded = receipt.logs.some(
    (log) =>
      log.address.toLowerCase() === safeAddress.toLowerCase() &&
      contract.interface.parseLog(log)?.name === "ExecutionSuccess",
  );
  if (!succeeded) throw new Error(`Safe ${safeAddress}: tx ${receipt.hash} emitted no ExecutionSuccess`);
  return receipt;
}

async function readThreshold(safe: Contract): Promise<bigint | undefined> {
  try {
    return BigInt(await safe.getFunction("getThreshold")());
  } catch {
    return undefined;
  }
}

const ERROR_STRING_SELECTOR = "0x08c379a0";
const ERROR_STRING = new Interface(["error Error(string)"]);

/**
 * Finds a Safe `GSxxx` revert code in an error thrown by ethers or the Hardhat provider: in an ABI-encoded
 * `Error(string)` revert payload, a decoded reason, or a message. Returns undefined if there is none.
 */
export function safeErrorCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0 && seen.size < 64) {
    const item = queue.shift();
    if (item === null || item === undefined || seen.has(item)) continue;
    seen.add(item);
    if (typeof item === "string") {
      const fromData = decodeErrorString(item);
      const match = /\bGS\d{3}\b/.exec(fromData ?? item);
      if (match !== null) return match[0];
      continue;
    }
    if (typeof item === "object") {
      const record = item as Record<string, unknown>;
      for (const key of [
        "reason",
        "data",
        "revert",
        "shortMessage",
        "message",
        "error",
        "cause",
        "info",
        "args",
      ]) {
        if (key in record) queue.push(record[key]);
      }
      if (Array.isArray(item)) queue.push(...(item as unknown[]));
    }
  }
  return undefined;
}

function decodeErrorString(hex: string): string | undefined {
  if (!isHexString(hex) || !hex.startsWith(ERROR_STRING_SELECTOR)) return undefined;
  try {
    return ERROR_STRING.decodeErrorResult("Error", hex)[0] as string;
  } catch {
    return undefined;
  }
}
