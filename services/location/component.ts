import { componentSpec } from "../../catalog/components.ts";
import { LocationService } from "../../gen/eco2/location/v1/location_pb.ts";
import { defineComponent } from "../../lib/process/index.ts";
import { defineService } from "../../lib/rpc/index.ts";
import { locationHandlers } from "./handlers.ts";
import { kakaoFromEnv } from "./kakao.ts";
import { LOCATION_SCHEMA, prepareLocationStore } from "./seed.ts";

/** The location service finds recycling points and zero-waste shops. */
export const locationComponent = defineComponent(
  componentSpec("location"),
  async ({ platform, log }) => {
    const pool = platform.pool(LOCATION_SCHEMA);
    await prepareLocationStore(pool, { log });
    const kakao = kakaoFromEnv();
    const onKakaoError = (err: Error) => log.warn({ err }, "Kakao Local failed; own sites answer");
    const handlers = locationHandlers({ pool, kakao, onKakaoError });
    return { services: [defineService(LocationService, handlers)] };
  },
);
