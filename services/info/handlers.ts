import type { ServiceImpl } from "@connectrpc/connect";
import type { InfoService } from "../../gen/eco2/info/v1/info_pb.ts";

/** infoHandlers implements InfoService; methods not built yet answer UNIMPLEMENTED. */
export function infoHandlers(): Partial<ServiceImpl<typeof InfoService>> {
  return {};
}
