import type { FetchedArticle } from "../article.ts";

/** A place articles come from. A collection asks every source and stores what they found. */
export interface NewsSourceClient {
  /** Names the source in logs, e.g. `rss:https://feed.example/rss` or `naver`. */
  readonly name: string;
  fetchArticles(): Promise<FetchedArticle[]>;
}
