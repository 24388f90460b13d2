// Process entry of the info service: `bun services/info/main.ts` or `deno run -A services/info/main.ts`.
import { runComponent } from "../../lib/process/index.ts";
import { infoComponent } from "./component.ts";

await runComponent(infoComponent);
