import type { ServiceImpl } from "@connectrpc/connect";
import type { LocationService } from "../../gen/eco2/location/v1/location_pb.ts";

/** locationHandlers implements LocationService; methods not built yet answer UNIMPLEMENTED. */
export function locationHandlers(): Partial<ServiceImpl<typeof LocationService>> {
  return {};
}
