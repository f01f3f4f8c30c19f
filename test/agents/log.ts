import { expect } from "chai";

import { Secret } from "../../src/agents/common/config.js";
import { makeLogger } from "../../src/agents/common/log.js";

const PRIVATE_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

function capture(): { lines: Record<string, unknown>[]; raw: string[]; log: ReturnType<typeof makeLogger> } {
  const raw: string[] = [];
  const lines: Record<string, unknown>[] = [];
  const log = makeLogger({
    level: "debug",
    sink: (line) => {
      raw.push(line);
      lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  return { lines, raw, log };
}

describe("JSON logger redaction", function () {
  it("shows intent keys (as intentKey and as a bare key)", function () {
    const { lines, log } = capture();
    const intentKey = "checkHeartbeat:0x1111111111111111111111111111111111111111:overdue:1700000000";
    log.info("keeper action", { intentKey, key: intentKey, keys: [intentKey] });
    expect(lines[0]?.intentKey).to.equal(intentKey);
    expect(lines[0]?.key).to.equal(intentKey);
    expect(lines[0]?.keys).to.deep.equal([intentKey]);
  });

  it("hides private keys, Secret values and secret-named fields", function () {
    const { lines, raw, log } = capture();
    log.child({ privateKey: PRIVATE_KEY }).warn("boot", {
      key: PRIVATE_KEY,
      nested: { signerPrivateKey: PRIVATE_KEY, password: "hunter2", mnemonic: "test test junk" },
      secret: "s3cr3t",
      apiKey: "abc",
      wrapped: new Secret(PRIVATE_KEY),
      txHash: "0x" + "ab".repeat(32),
    });
    expect(raw[0]).to.not.contain(PRIVATE_KEY.slice(2));
    expect(raw[0]).to.not.contain("hunter2");
    expect(raw[0]).to.not.contain("s3cr3t");
    expect(raw[0]).to.not.contain("test test junk");
    const line = lines[0] as Record<string, unknown>;
    expect(line.privateKey).to.equal("[redacted]");
    expect(line.key).to.equal("[redacted]");
    expect(line.wrapped).to.equal("[redacted]");
    expect(line.txHash).to.equal("0x" + "ab".repeat(32));
  });
});
