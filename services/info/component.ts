import { componentSpec } from "../../catalog/components.ts";
import { InfoService } from "../../gen/eco2/info/v1/info_pb.ts";
import { defineComponent } from "../../lib/process/index.ts";
import { defineService } from "../../lib/rpc/index.ts";
import { infoHandlers } from "./handlers.ts";
import { loadKnowledge } from "./knowledge/load-knowledge.ts";

/** The info service serves eco news and disposal-rule guides. */
export const infoComponent = defineComponent(componentSpec("info"), async () => ({
  // An invalid knowledge base stops the start: serving half of it would teach wrong rules.
  services: [defineService(InfoService, infoHandlers({ knowledge: await loadKnowledge() }))],
}));
