// Process entry of the my service: `bun services/my/main.ts` or `deno run -A services/my/main.ts`.
import { runComponent } from "../../lib/process/index.ts";
import { myComponent } from "./component.ts";

await runComponent(myComponent);
