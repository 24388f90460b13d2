// Builds the demo page with Bun's bundler. Bun-only, so only Bun entries import it (server.ts);
// the Deno entry serves the API without the page.
import type { DemoAssets } from "./routes/demo.ts";

const DEMO_DIR = new URL("./demo/", import.meta.url);

/** buildDemoPage bundles gateway/demo/main.ts for the browser and reads the page and its style. */
export async function buildDemoPage(): Promise<DemoAssets> {
  const built = await Bun.build({
    entrypoints: [new URL("main.ts", DEMO_DIR).pathname],
    target: "browser",
    minify: true,
  });
  const script = built.outputs[0];
  if (!built.success || !script) {
    throw new AggregateError(built.logs, "the demo page's script did not build");
  }
  const [html, css, js] = await Promise.all([
    Bun.file(new URL("index.html", DEMO_DIR)).text(),
    Bun.file(new URL("style.css", DEMO_DIR)).text(),
    script.text(),
  ]);
  return { html, css, js };
}
