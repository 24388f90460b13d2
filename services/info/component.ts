import { componentSpec } from "../../catalog/components.ts";
import { InfoService } from "../../gen/eco2/info/v1/info_pb.ts";
import { defineComponent } from "../../lib/process/index.ts";
import { defineService } from "../../lib/rpc/index.ts";
import { infoHandlers } from "./handlers.ts";

/** The info service serves eco news and disposal-rule guides. */
export const infoComponent = defineComponent(componentSpec("info"), () => ({
  services: [defineService(InfoService, infoHandlers())],
}));
