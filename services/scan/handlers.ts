import type { ServiceImpl } from "@connectrpc/connect";
import type { ScanService } from "../../gen/eco2/scan/v1/scan_pb.ts";

/** scanHandlers implements ScanService; methods not built yet answer UNIMPLEMENTED. */
export function scanHandlers(): Partial<ServiceImpl<typeof ScanService>> {
  return {};
}
