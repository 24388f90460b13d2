import { describe, expect, it } from "bun:test";
import { readAllInOneConfig } from "../../scripts/all-in-one.ts";
import { offlineGateway } from "../../test/support/offline-gateway.ts";
import { testSession } from "../../test/support/session.ts";
import { readGatewayConfig } from "../config.ts";
import { demoAssets } from "../server.ts";

const session = await testSession({ allowedOrigins: [] });

/** The script the page links to, read from its HTML as a browser would. */
function scriptPath(html: string): string {
  const found = /<script[^>]+src="([^"]+)"/.exec(html)?.[1];
  if (!found) throw new Error("the page links no script");
  return found;
}

describe("demo page (DEMO_PAGE)", () => {
  it("is off by default and on for the all-in-one start", () => {
    expect(readGatewayConfig({}).DEMO_PAGE).toBe(false);
    expect(readAllInOneConfig({}).DEMO_PAGE).toBe(true);
    expect(readAllInOneConfig({ DEMO_PAGE: "false" }).DEMO_PAGE).toBe(false);
  });

  it("serves the page at / and /demo, and the script bundle it links", async () => {
    const { fetch, clients } = offlineGateway(session, {
      demo: await demoAssets({ DEMO_PAGE: true }),
    });
    for (const path of ["/", "/demo"]) {
      const page = await fetch(new Request(`http://localhost${path}`));
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toStartWith("text/html");
      const html = await page.text();
      expect(html).toContain("이코에코");
      const script = await fetch(new Request(`http://localhost${scriptPath(html)}`));
      expect(script.status).toBe(200);
      expect(script.headers.get("content-type")).toStartWith("text/javascript");
      expect(script.headers.get("content-security-policy")).toContain("script-src 'self'");
      // The bundle is the page's code, built for the browser, not a module graph left to resolve.
      const code = await script.text();
      expect(code).toContain("/api/v1/users/me");
      expect(code).not.toContain('from "./');
    }
    const style = await fetch(new Request("http://localhost/demo/app.css"));
    expect(style.status).toBe(200);
    expect(style.headers.get("content-type")).toStartWith("text/css");
    clients.close();
  });

  it("answers 404 at / and /demo when turned off", async () => {
    const { fetch, clients } = offlineGateway(session, {
      demo: await demoAssets({ DEMO_PAGE: false }),
    });
    for (const path of ["/", "/demo", "/demo/app.js"]) {
      expect((await fetch(new Request(`http://localhost${path}`))).status).toBe(404);
    }
    clients.close();
  });
});
