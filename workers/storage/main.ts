// Process entry of the storage worker: `bun workers/storage/main.ts` or `deno run -A workers/storage/main.ts`.
import { runComponent } from "../../lib/process/index.ts";
import { storageComponent } from "./component.ts";

await runComponent(storageComponent);
