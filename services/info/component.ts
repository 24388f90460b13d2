import { componentSpec } from "../../catalog/components.ts";
import { InfoService } from "../../gen/eco2/info/v1/info_pb.ts";
import { defineComponent } from "../../lib/process/index.ts";
import { openSchema } from "../../lib/process/open-schema.ts";
import { defineService } from "../../lib/rpc/index.ts";
import { infoHandlers } from "./handlers.ts";
import { loadKnowledge } from "./knowledge/load-knowledge.ts";
import { collectNews } from "./news/collect-news.ts";
import { enrichThumbnails } from "./news/enrich-thumbnails.ts";
import { fetchPublicPage } from "./news/fetch-public-page.ts";
import { NewsFeed } from "./news/news-feed.ts";
import { startNewsRefresher } from "./news/news-refresher.ts";
import { feedUrls, newsSources } from "./news/news-sources.ts";
import { seedSampleNews } from "./news/seed-sample.ts";

// An article page's <head> is what OpenGraph needs; a megabyte is plenty.
const PAGE_MAX_BYTES = 1024 * 1024;
// Pages read per collection: the first collection of many feeds must not become a crawl.
const THUMBNAIL_PAGES_PER_ROUND = 30;

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
  // A stop aborts the fetches in flight, so a collection never holds the shutdown for its timeouts.
  const stopping = new AbortController();
  const sources = newsSources(settings, stopping.signal);
  const pageOptions = {
    signal: stopping.signal,
    timeoutMs: settings.NEWS_FETCH_TIMEOUT_MS,
    maxBytes: Math.min(settings.NEWS_FETCH_MAX_BYTES, PAGE_MAX_BYTES),
    allowHosts: new Set(feedUrls(settings.NEWS_FETCH_ALLOW_HOSTS ?? "none")),
    maxRedirects: 3,
  };
  const enrich = settings.NEWS_THUMBNAILS
    ? (ids: readonly string[]) =>
        enrichThumbnails(
          {
            pool,
            log,
            fetchPage: (url) => fetchPublicPage(url, pageOptions),
            maxPages: THUMBNAIL_PAGES_PER_ROUND,
            concurrency: 4,
          },
          ids,
        )
    : undefined;
  log.info({ sources: sources.map((s) => s.name) }, "news sources");
  // Collection runs in the background: a start never waits on the network.
  if (sources.length > 0) {
    const refresher = startNewsRefresher({
      cache: platform.cache,
      log,
      collect: () => collectNews(pool, sources, log, { enrich, changed: () => feed.invalidate() }),
      intervalMs: settings.NEWS_REFRESH_INTERVAL_SECONDS * 1000,
      firstDelayMs: settings.NEWS_FIRST_REFRESH_DELAY_MS,
    });
    shutdown.add({
      name: "news-refresher",
      phase: "stop-accepting",
      run: () => {
        stopping.abort();
        return refresher.stop();
      },
    });
  }
  return {
    services: [defineService(InfoService, infoHandlers({ knowledge, news: feed }))],
  };
});
