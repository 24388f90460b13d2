import { componentSpec } from "../../catalog/components.ts";
import { InfoService } from "../../gen/eco2/info/v1/info_pb.ts";
import { defineComponent } from "../../lib/process/index.ts";
import { openSchema } from "../../lib/process/open-schema.ts";
import { defineService } from "../../lib/rpc/index.ts";
import { infoHandlers } from "./handlers.ts";
import { loadKnowledge } from "./knowledge/load-knowledge.ts";
import { collectNews } from "./news/collect-news.ts";
import { NewsFeed } from "./news/news-feed.ts";
import { startNewsRefresher } from "./news/news-refresher.ts";
import { newsSources } from "./news/news-sources.ts";
import { seedSampleNews } from "./news/seed-sample.ts";

/** The info service serves eco news and disposal-rule guides. */
export const infoComponent = defineComponent(componentSpec("info"), async (context) => {
  const { settings, platform, log, shutdown } = context;
  // An invalid knowledge base stops the start: serving half of it would teach wrong rules.
  const knowledge = await loadKnowledge();
  const pool = await openSchema(context, {
    schema: "info",
    migrations: new URL("./migrations", import.meta.url),
  });
  const feed = new NewsFeed({
    pool,
    cache: platform.cache,
    log,
    ttlMs: settings.NEWS_FEED_CACHE_TTL_SECONDS * 1000,
  });
  if (settings.NEWS_SAMPLE_SEED) {
    const seeded = await seedSampleNews(pool);
    if (seeded.inserted > 0)
      log.info({ articles: seeded.inserted }, "news feed seeded with samples");
  }
  const sources = newsSources(settings);
  log.info({ sources: sources.map((s) => s.name) }, "news sources");
  // Collection runs in the background: a start never waits on the network.
  if (sources.length > 0) {
    const refresher = startNewsRefresher({
      cache: platform.cache,
      log,
      collect: () => collectNews(pool, sources, log),
      changed: () => feed.invalidate(),
      intervalMs: settings.NEWS_REFRESH_INTERVAL_SECONDS * 1000,
      firstDelayMs: settings.NEWS_FIRST_REFRESH_DELAY_MS,
    });
    shutdown.add({ name: "news-refresher", phase: "stop-accepting", run: () => refresher.stop() });
  }
  return {
    services: [defineService(InfoService, infoHandlers({ knowledge, news: feed }))],
  };
});
