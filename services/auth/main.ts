// Process entry of the auth service: `bun services/auth/main.ts` or `deno run -A services/auth/main.ts`.
import { runComponent } from "../../lib/process/index.ts";
import { authComponent } from "./component.ts";

await runComponent(authComponent);
