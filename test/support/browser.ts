// A tiny browser for end-to-end tests: it keeps the cookies the gateway sets, sends them back,
// and says which origin its page is on (as a browser's Origin header would).

export interface BrowserRequest {
  readonly json?: unknown;
  readonly headers?: Record<string, string>;
  /** Send no Origin header (a request a browser would not make from our page). */
  readonly noOrigin?: boolean;
}

export class Browser {
  readonly cookies = new Map<string, string>();

  constructor(
    readonly base: string,
    readonly origin: string,
  ) {}

  async request(method: string, path: string, init: BrowserRequest = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0 && !headers.has("cookie")) headers.set("cookie", this.cookieHeader());
    if (!init.noOrigin && !headers.has("origin")) headers.set("origin", this.origin);
    if (init.json !== undefined) headers.set("content-type", "application/json");
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers,
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
      redirect: "manual",
    });
    this.keepCookies(response);
    return response;
  }

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  /** keepCookies stores Set-Cookie values; an expired or empty one deletes the cookie. */
  keepCookies(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const at = pair.indexOf("=");
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const gone = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === "";
      if (gone) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}
