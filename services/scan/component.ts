import { componentSpec } from "../../catalog/components.ts";
import { ScanService } from "../../gen/eco2/scan/v1/scan_pb.ts";
import { defineComponent } from "../../lib/process/index.ts";
import { defineService } from "../../lib/rpc/index.ts";
import { scanHandlers } from "./handlers.ts";

/** The scan service accepts scan jobs and reports their progress and results. */
export const scanComponent = defineComponent(componentSpec("scan"), () => ({
  services: [defineService(ScanService, scanHandlers())],
}));
