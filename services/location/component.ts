import { componentSpec } from "../../catalog/components.ts";
import { LocationService } from "../../gen/eco2/location/v1/location_pb.ts";
import { defineComponent } from "../../lib/process/index.ts";
import { defineService } from "../../lib/rpc/index.ts";
import { locationHandlers } from "./handlers.ts";

/** The location service finds recycling points and zero-waste shops. */
export const locationComponent = defineComponent(componentSpec("location"), () => ({
  services: [defineService(LocationService, locationHandlers())],
}));
