// Small DOM helpers: the page builds its lists from API answers with text nodes only, so nothing
// the API returns is ever parsed as HTML.

type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) if (child) node.append(child);
  return node;
}

/** byId finds an element the page's HTML is known to have. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no #${id}`);
  return node as T;
}

let noticeTimer: ReturnType<typeof setTimeout> | undefined;

/** notify shows a message at the top: an error by default, a confirmation when ok. */
export function notify(message: string, ok = false): void {
  const notice = byId("notice");
  notice.textContent = message;
  notice.classList.toggle("ok", ok);
  notice.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => (notice.hidden = true), ok ? 3000 : 8000);
}
