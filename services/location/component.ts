import { componentSpec } from "../../catalog/components.ts";
import { LocationService } from "../../gen/eco2/location/v1/location_pb.ts";
import { defineComponent } from "../../lib/process/index.ts";
import { defineService } from "../../lib/rpc/index.ts";
import { locationHandlers } from "./handlers.ts";
import { LOCATION_SCHEMA, prepareLocationStore } from "./seed.ts";

/** The location service finds recycling points and zero-waste shops. */
export const locationComponent = defineComponent(
  componentSpec("location"),
  async ({ platform, log }) => {
    const pool = platform.pool(LOCATION_SCHEMA);
    await prepareLocationStore(pool, { log });
    return { services: [defineService(LocationService, locationHandlers({ pool }))] };
  },
);
