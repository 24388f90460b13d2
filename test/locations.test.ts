import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { rm } from "node:fs/promises";
import { devLogin } from "./support/dev-login.ts";
import {
  allInOneEnv,
  type RunningProcess,
  startProcess,
  waitUntilReady,
} from "./support/processes.ts";

// The location service end to end on a fresh embedded start: the gateway, real gRPC and PGlite
// seeded from the shipped dataset (issue 11's "a newcomer sees the 760 sites").
describe("locations on a fresh npm start", () => {
  let system: RunningProcess;
  let base: string;
  let dataDir: string;
  let signedIn: { authorization: string };

  beforeAll(async () => {
    const env = await allInOneEnv();
    dataDir = env.DATA_DIR ?? "";
    base = `http://localhost:${env.PORT}`;
    system = startProcess(["scripts/start.ts"], env);
    // Every component starts (and this one seeds 760 sites): slow on a busy machine.
    await waitUntilReady(system, `${base}/readyz`, 60_000);
    // /api/v1/* needs a token: the embedded start's dev login gives one.
    signedIn = (await devLogin(base, "locations-test")).headers;
  }, 90_000);

  afterAll(async () => {
    system.child.kill("SIGKILL");
    await system.exited;
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const get = async (path: string) => {
    const response = await fetch(`${base}${path}`, { headers: signedIn });
    return { status: response.status, body: await response.json() };
  };

  it("L1 around Seoul City Hall returns seeded sites, nearest first", async () => {
    const { status, body } = await get(
      "/api/v1/locations/centers?lat=37.5665&lon=126.978&radius=5000",
    );
    expect(status).toBe(200);
    expect(body.length).toBeGreaterThan(5);
    const distances = body.map((e: { distance_km: number }) => e.distance_km);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    expect(distances.at(-1)).toBeLessThanOrEqual(5);
    expect(body[0]).toMatchObject({ source: expect.stringMatching(/^(keco|zerowaste)$/) });
    const detail = await get(`/api/v1/locations/centers/${body[0].id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.id).toBe(body[0].id);
  });

  it("L2 and L3 answer from our own sites without a Kakao key", async () => {
    const search = await get(`/api/v1/locations/search?q=${encodeURIComponent("자원순환가게")}`);
    expect(search.status).toBe(200);
    expect(search.body.length).toBeGreaterThan(0);
    const suggest = await get(`/api/v1/locations/suggest?q=${encodeURIComponent("고양")}`);
    expect(suggest.status).toBe(200);
    expect(suggest.body[0]).toHaveProperty("place_name");
  });

  for (const [path, status, code] of [
    ["/centers?lat=91&lon=126.9", 422, "VALIDATION_ERROR"],
    ["/centers?lat=37.5&lon=126.9&radius=0", 422, "VALIDATION_ERROR"],
    ["/centers?lat=37.5&lon=126.9&store_category=bogus", 400, "INVALID_STORE_CATEGORY"],
    ["/centers?lat=37.5&lon=126.9&pickup_category=bogus", 400, "INVALID_PICKUP_CATEGORY"],
    ["/search?q=", 422, "VALIDATION_ERROR"],
    ["/centers/abc", 422, "VALIDATION_ERROR"],
    ["/centers/0x10", 422, "VALIDATION_ERROR"],
    ["/centers/9223372036854775808", 404, "LOCATION_NOT_FOUND"],
    ["/centers/123456789012", 404, "LOCATION_NOT_FOUND"],
  ] as const) {
    it(`answers ${path} with ${status} ${code}`, async () => {
      const answer = await get(`/api/v1/locations${path}`);
      expect(answer.status).toBe(status);
      expect(answer.body.code).toBe(code);
    });
  }
});
