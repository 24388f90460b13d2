// Process entry of the location service: `bun services/location/main.ts` or `deno run -A services/location/main.ts`.
import { runComponent } from "../../lib/process/index.ts";
import { locationComponent } from "./component.ts";

await runComponent(locationComponent);
