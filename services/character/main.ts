// Process entry of the character service: `bun services/character/main.ts` or `deno run -A services/character/main.ts`.
import { runComponent } from "../../lib/process/index.ts";
import { characterComponent } from "./component.ts";

await runComponent(characterComponent);
