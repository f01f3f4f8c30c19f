import { expect } from "chai";

import { ConfigError } from "../../src/agents/common/config.js";
import { parseNodesFile } from "../../src/agents/orchestrator/main.js";

const A = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

function errorOf(raw: unknown): ConfigError {
  try {
    parseNodesFile(raw, "nodes.json");
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("orchestrator --nodes file (one parser: the process driver's parseProcessNodes)", function () {
  it("parses nodes and keeps configCid", function () {
    const file = parseNodesFile(
      {
        nodes: [
          {
            validator: A.toLowerCase(),
            nodeId: "val-1",
            port: 0,
            config: { chainId: 31337 },
            configCid: "bafy",
          },
          { validator: A, nodeId: "val-2", config: { chainId: 31337 } },
        ],
      },
      "nodes.json",
    );
    expect(file.nodes.map((n) => [n.validator, n.nodeId, n.port, n.configCid])).to.deep.equal([
      [A, "val-1", 0, "bafy"],
      [A, "val-2", undefined, undefined],
    ]);
  });

  it("names the option, the file, the entry and the field, with an example", function () {
    const cases: [unknown, RegExp][] = [
      [{}, /"nodes" array/],
      [{ nodes: [] }, /non-empty/],
      [{ nodes: [7] }, /nodes\[0\] is not an object/],
      [
        { nodes: [{ validator: "0x12", nodeId: "v", config: { chainId: 1 } }] },
        /nodes\[0\]\.validator is not an address/,
      ],
      [{ nodes: [{ validator: A, nodeId: "../x", config: { chainId: 1 } }] }, /nodes\[0\]\.nodeId/],
      [{ nodes: [{ validator: A, nodeId: "v", port: 70_000, config: { chainId: 1 } }] }, /nodes\[0\]\.port/],
      [
        { nodes: [{ validator: A, nodeId: "v", config: { chainId: 1 }, configCid: 3 }] },
        /nodes\[0\]\.configCid/,
      ],
      [{ nodes: [{ validator: A, nodeId: "v", config: { chainId: 1 }, extra: 1 }] }, /unknown field "extra"/],
      [
        {
          nodes: [
            { validator: A, nodeId: "v", config: { chainId: 1 } },
            { validator: A, nodeId: "v", config: { chainId: 1 } },
          ],
        },
        /nodes\[1\]\.nodeId "v" is used twice/,
      ],
      [{ nodes: [{ validator: A, nodeId: "v", config: { chainId: 0 } }] }, /nodes\[0\]\.config/],
    ];
    for (const [raw, pattern] of cases) {
      const error = errorOf(raw);
      expect(error.message).to.match(/^--nodes nodes\.json: /);
      expect(error.message).to.match(pattern);
      expect(error.message).to.contain("example:");
    }
  });
});
