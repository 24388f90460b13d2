// News (N1) with infinite scroll: the next page's cursor is next_cursor while has_more.
import { call, messageOf } from "./api.ts";
import { byId, el } from "./dom.ts";

interface Article {
  id: string;
  title: string;
  url: string;
  snippet: string;
  source_name: string;
  published_at: string;
  thumbnail_url: string | null;
}
interface NewsPage {
  articles: Article[];
  next_cursor: string | null;
  has_more: boolean;
}

/** Five a page: a phone screen holds about that many, so the bundled sample alone scrolls a page. */
const PAGE_SIZE = "5";

let cursor: string | null = null;
let exhausted = false;
let loading = false;
let watching = false;

/** startNews loads the first page and keeps loading as the end of the list scrolls into view. */
export function startNews(): void {
  if (watching) return;
  watching = true;
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) void loadMore();
  });
  observer.observe(byId("news-more"));
  void loadMore();
}

async function loadMore(): Promise<void> {
  if (loading || exhausted) return;
  loading = true;
  const status = byId("news-more");
  status.textContent = "불러오는 중…";
  try {
    const query = new URLSearchParams({ limit: PAGE_SIZE });
    if (cursor) query.set("cursor", cursor);
    const page = await call<NewsPage>("GET", `/api/v1/info/news?${query}`);
    byId("news").append(...page.articles.map(articleItem));
    cursor = page.next_cursor;
    exhausted = !page.has_more || !cursor;
    status.textContent = exhausted ? "마지막 기사예요." : "아래로 내리면 더 불러와요.";
  } catch (err) {
    status.textContent = messageOf(err);
  } finally {
    loading = false;
  }
  // A short first page may leave the marker on screen, where no new intersection will fire.
  if (!exhausted && isVisible(status)) void loadMore();
}

function isVisible(node: HTMLElement): boolean {
  const box = node.getBoundingClientRect();
  return box.height > 0 && box.top < window.innerHeight;
}

function articleItem(article: Article): HTMLLIElement {
  const date = new Date(article.published_at).toLocaleDateString("ko-KR");
  return el(
    "li",
    {},
    el("a", { href: article.url, target: "_blank", rel: "noopener noreferrer" }, article.title),
    el("div", { class: "muted" }, `${article.source_name} · ${date}`),
    el("p", {}, article.snippet),
    article.thumbnail_url &&
      el("img", {
        src: article.thumbnail_url,
        alt: "",
        loading: "lazy",
        referrerpolicy: "no-referrer",
      }),
  );
}
