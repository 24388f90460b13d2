import { InfoService } from "../../gen/eco2/info/v1/info_pb.ts";
import { defineComponent } from "../../lib/process/index.ts";
import { defineService } from "../../lib/rpc/index.ts";
import { DEFAULT_GRPC_PORTS } from "../components.ts";
import { infoHandlers } from "./handlers.ts";
import { loadKnowledge } from "./knowledge/load-knowledge.ts";

/** The info service serves eco news and disposal-rule guides. */
export const infoComponent = defineComponent({
  name: "info",
  defaultGrpcPort: DEFAULT_GRPC_PORTS.info,
  // An invalid knowledge base stops the start: serving half of it would teach wrong rules.
  create: async () => ({
    services: [defineService(InfoService, infoHandlers({ knowledge: await loadKnowledge() }))],
  }),
});
