import { InfoService } from "../../gen/eco2/info/v1/info_pb.ts";
import { defineComponent } from "../../lib/process/index.ts";
import { defineService } from "../../lib/rpc/index.ts";
import { DEFAULT_GRPC_PORTS } from "../components.ts";
import { infoHandlers } from "./handlers.ts";

/** The info service serves eco news and disposal-rule guides. */
export const infoComponent = defineComponent({
  name: "info",
  defaultGrpcPort: DEFAULT_GRPC_PORTS.info,
  create: () => ({ services: [defineService(InfoService, infoHandlers())] }),
});
