import { componentSpec } from "../../catalog/components.ts";
import { LocationService } from "../../gen/eco2/location/v1/location_pb.ts";
import { defineComponent } from "../../lib/process/index.ts";
import { openSchema } from "../../lib/process/open-schema.ts";
import { defineService } from "../../lib/rpc/index.ts";
import { locationHandlers } from "./handlers.ts";
import { kakaoFromSettings } from "./kakao.ts";
import { LOCATION_SCHEMA, seedIfEmpty } from "./seed.ts";

/** The location service finds recycling points and zero-waste shops. */
export const locationComponent = defineComponent(componentSpec("location"), async (context) => {
  const { log } = context;
  const pool = await openSchema(context, {
    schema: LOCATION_SCHEMA,
    migrations: new URL("./migrations", import.meta.url),
  });
  // A fresh embedded start shows the 760 shipped sites rather than an empty map.
  await seedIfEmpty(pool, log);
  const kakao = kakaoFromSettings(context.settings);
  const onKakaoError = (err: Error) => log.warn({ err }, "Kakao Local failed; own sites answer");
  const handlers = locationHandlers({ pool, kakao, onKakaoError });
  return { services: [defineService(LocationService, handlers)] };
});
