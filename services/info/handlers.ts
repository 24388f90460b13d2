import type { ServiceImpl } from "@connectrpc/connect";
import type { InfoService } from "../../gen/eco2/info/v1/info_pb.ts";
import { guideHandlers } from "./guide-handlers.ts";
import type { Knowledge } from "./knowledge/load-knowledge.ts";
import type { NewsFeed } from "./news/news-feed.ts";
import { newsHandlers } from "./news-handlers.ts";

export interface InfoHandlerOptions {
  /** The disposal knowledge base, loaded and checked at start. */
  readonly knowledge: Knowledge;
  /** The news feed; without one (guide-only tests) the news methods answer UNIMPLEMENTED. */
  readonly news?: NewsFeed;
}

/** infoHandlers implements InfoService: the disposal-rule guides and the news feed. */
export function infoHandlers(
  options: InfoHandlerOptions,
): Partial<ServiceImpl<typeof InfoService>> {
  return {
    ...guideHandlers(options.knowledge),
    ...(options.news ? newsHandlers(options.news) : {}),
  };
}
