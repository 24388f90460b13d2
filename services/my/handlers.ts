import type { ServiceImpl } from "@connectrpc/connect";
import type { MyService } from "../../gen/eco2/my/v1/my_pb.ts";

/** myHandlers implements MyService; methods not built yet answer UNIMPLEMENTED. */
export function myHandlers(): Partial<ServiceImpl<typeof MyService>> {
  return {};
}
