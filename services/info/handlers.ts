import type { ServiceImpl } from "@connectrpc/connect";
import type { InfoService } from "../../gen/eco2/info/v1/info_pb.ts";
import { guideHandlers } from "./guide-handlers.ts";
import type { Knowledge } from "./knowledge/load-knowledge.ts";

export interface InfoHandlerOptions {
  /** The disposal knowledge base, loaded and checked at start. */
  readonly knowledge: Knowledge;
}

/** infoHandlers implements InfoService; methods not built yet (news) answer UNIMPLEMENTED. */
export function infoHandlers(
  options: InfoHandlerOptions,
): Partial<ServiceImpl<typeof InfoService>> {
  return { ...guideHandlers(options.knowledge) };
}
