import { expect } from "chai";
import { Contract } from "ethers";

import { Registry, registerRpcMetrics } from "../../src/agents/common/metrics.js";
import {
  ChainIdMismatchError,
  decodeRevert,
  FailoverProvider,
  type FailoverProviderOptions,
  isRetryable,
  isRevert,
  RpcTransportError,
} from "../../src/chain/index.js";
import { chainFixture } from "../helpers/chain-fixture.js";
import { type FakeRpc, startFakeRpc } from "../helpers/fake-rpc.js";

describe("FailoverProvider", function () {
  this.timeout(20_000);
  let fx: Awaited<ReturnType<typeof chainFixture>>;
  let a: FakeRpc;
  let b: FakeRpc;
  const providers: FailoverProvider[] = [];

  before(async function () {
    fx = await chainFixture();
    a = await startFakeRpc(fx.upstream);
    b = await startFakeRpc(fx.upstream);
  });

  after(async function () {
    for (const p of providers) p.destroy();
    await a.close();
    await b.close();
    await fx.connection.close();
  });

  beforeEach(function () {
    a.setFault({ kind: "none" });
    b.setFault({ kind: "none" });
    a.calls.length = 0;
    b.calls.length = 0;
  });

  function makeProvider(extra: Partial<FailoverProviderOptions> = {}): FailoverProvider {
    const p = new FailoverProvider({
      urls: [a.url, b.url],
      timeoutMs: 300,
      cooldownMs: 60_000,
      maxRounds: 2,
      backoffBaseMs: 10,
      ...extra,
    });
    providers.push(p);
    return p;
  }

  describe("init", function () {
    it("accepts endpoints that agree on the configured chain id", async function () {
      const p = makeProvider({ chainId: 31337n });
      expect(await p.init()).to.equal(31337n);
      expect((await p.getNetwork()).chainId).to.equal(31337n);
    });

    it("refuses to start when one endpoint reports another chain id, naming it", async function () {
      b.setFault({ kind: "chainId", chainId: 1n });
      const p = makeProvider();
      const error = await p.init().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(ChainIdMismatchError);
      expect((error as Error).message)
        .to.contain(b.url)
        .and.contain("chain id 1");
    });

    it("refuses to start when an endpoint disagrees with the expected chain id", async function () {
      const p = makeProvider({ chainId: 5n });
      await expect(p.init()).to.be.rejectedWith(
        ChainIdMismatchError,
        new RegExp(a.url.replace(/\./g, "\\.")),
      );
    });

    it("refuses requests before init", async function () {
      const p = makeProvider();
      await expect(p.getBlockNumber()).to.be.rejectedWith(/call init\(\)/);
    });
  });

  describe("failover", function () {
    for (const [name, fault] of [
      ["HTTP 500", { kind: "http", status: 500 }],
      ["HTTP 429", { kind: "http", status: 429 }],
      ["a hang (bounded by the timeout)", { kind: "hang" }],
    ] as const) {
      it(`skips an endpoint that answers ${name} and serves the call from the next`, async function () {
        const p = makeProvider();
        await p.init();
        a.setFault(fault);
        a.calls.length = 0;
        expect(await p.getBlockNumber()).to.be.a("number");
        expect(a.calls).to.deep.equal(["eth_blockNumber"]);
        expect(b.calls).to.include("eth_blockNumber");
        // In cool-down: the next call does not touch the failing endpoint.
        await p.getBlockNumber();
        expect(a.calls).to.have.length(1);
        const [statsA] = p.stats();
        const kind = fault.kind === "hang" ? "timeout" : fault.status === 429 ? "http_429" : "http_5xx";
        expect(statsA!.errors[kind]).to.equal(1);
        expect(statsA!.coolingDown).to.equal(true);
      });
    }

    it("exposes per-endpoint error counters as metrics, every kind at zero from the start", async function () {
      const p = makeProvider();
      await p.init();
      const registry = new Registry();
      registerRpcMetrics(registry, p);
      expect(registry.render()).to.match(/^healnet_rpc_errors_total\{endpoint="rpc1",kind="http_5xx"\} 0$/m);
      a.setFault({ kind: "http", status: 500 });
      await p.getBlockNumber();
      const text = registry.render();
      expect(text).to.match(/^healnet_rpc_errors_total\{endpoint="rpc0",kind="http_5xx"\} 1$/m);
      expect(text).to.match(/^healnet_rpc_endpoint_up\{endpoint="rpc0"\} 0$/m);
      expect(text).to.match(/^healnet_rpc_endpoint_up\{endpoint="rpc1"\} 1$/m);
    });

    it("skips an endpoint whose head stopped advancing", async function () {
      const p = makeProvider({ staleHeadMs: 40 });
      await p.init();
      a.setFault({ kind: "staleHead" });
      await p.checkHeads();
      await fx.upstream.request({ method: "evm_mine", params: [] });
      await new Promise((r) => setTimeout(r, 60));
      await p.checkHeads();
      expect(p.stats()[0]!.stale).to.equal(true);
      expect(p.stats()[1]!.stale).to.equal(false);
      a.calls.length = 0;
      await p.getBalance(fx.wallet.address);
      expect(a.calls).to.deep.equal([]);
      expect(b.calls).to.include("eth_getBalance");
      expect(p.stats()[0]!.errors.stale_head).to.equal(1);
    });

    it("returns a revert to the caller without failing over or retrying", async function () {
      const p = makeProvider();
      await p.init();
      a.calls.length = 0;
      b.calls.length = 0;
      const token = new Contract(fx.tokenAddress, fx.token.interface, p);
      const poor = "0x000000000000000000000000000000000000dEaD";
      const error = await token
        .getFunction("transfer")
        .staticCall(fx.wallet.address, 1n, { from: poor })
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(isRevert(error)).to.equal(true);
      expect(isRetryable(error)).to.equal(false);
      expect(decodeRevert(error, fx.token.interface)?.name).to.equal("ERC20InsufficientBalance");
      expect(a.calls.filter((m) => m === "eth_call")).to.have.length(1);
      expect(b.calls).to.deep.equal([]);
      expect(p.stats()[0]!.coolingDown).to.equal(false);
    });

    it("gives up with a retryable error after bounded rounds when every endpoint fails", async function () {
      const p = makeProvider({ maxRounds: 2 });
      await p.init();
      a.setFault({ kind: "http", status: 503 });
      b.setFault({ kind: "http", status: 502 });
      a.calls.length = 0;
      const error = await p.getBlockNumber().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(RpcTransportError);
      expect(isRetryable(error)).to.equal(true);
      // Two rounds over both endpoints, no more.
      expect(a.calls).to.have.length(2);
    });
  });
});
