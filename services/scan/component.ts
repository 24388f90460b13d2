import { ScanService } from "../../gen/eco2/scan/v1/scan_pb.ts";
import { defineComponent } from "../../lib/process/index.ts";
import { defineService } from "../../lib/rpc/index.ts";
import { DEFAULT_GRPC_PORTS } from "../components.ts";
import { scanHandlers } from "./handlers.ts";

/** The scan service accepts scan jobs and reports their progress and results. */
export const scanComponent = defineComponent({
  name: "scan",
  defaultGrpcPort: DEFAULT_GRPC_PORTS.scan,
  create: () => ({ services: [defineService(ScanService, scanHandlers())] }),
});
