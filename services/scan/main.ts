// Process entry of the scan service: `bun services/scan/main.ts` or `deno run -A services/scan/main.ts`.
import { runComponent } from "../../lib/process/index.ts";
import { scanComponent } from "./component.ts";

await runComponent(scanComponent);
