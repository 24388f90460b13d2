// Process entry of the ai worker: `bun workers/ai/main.ts` or `deno run -A workers/ai/main.ts`.
import { runComponent } from "../../lib/process/index.ts";
import { aiComponent } from "./component.ts";

await runComponent(aiComponent);
