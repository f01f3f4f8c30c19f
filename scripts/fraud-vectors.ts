/** Rewrites test/fraud/vectors.json from src/fraud/vectors.ts (`npx tsx scripts/fraud-vectors.ts`). */
import { writeFileSync } from "node:fs";

import { generateVectors } from "../src/fraud/vectors.js";

const vectors = generateVectors();
writeFileSync("test/fraud/vectors.json", JSON.stringify(vectors, null, 2) + "\n");
console.log(`wrote ${vectors.length} vectors to test/fraud/vectors.json`);
