import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { samplePhoto } from "../../workers/ai/vision/sample-photo.ts";
import { hugePng, pngImage } from "../../workers/storage/test-images.ts";
import { allInOneEnv, type RunningProcess, startProcess, waitFor } from "../support/processes.ts";
import { realServers, skipReason } from "../support/servers.ts";
import { follow, result, type ScanUser, signIn, submit, upload } from "./scan-client.ts";

const skip =
  skipReason(realServers.databaseUrl, "DATABASE_URL") ??
  skipReason(realServers.redisUrl, "REDIS_URL") ??
  skipReason(realServers.amqpUrl, "AMQP_URL");

/** The order of stage events the contract promises (§2.3), up to done. */
const CONTRACT_ORDER = [
  "queued:started",
  "vision:started",
  "vision:completed",
  "rule:started",
  "rule:completed",
  "answer:started",
  "answer:completed",
  "reward:started",
  "done:completed",
];

describe.skipIf(skip !== undefined)(
  `a scan through the gateway on the real servers ${skip ?? ""}`,
  () => {
    let system: RunningProcess;
    let base: string;
    let alice: ScanUser;
    let bob: ScanUser;
    let photoUrl: string;

    beforeAll(async () => {
      const env = await allInOneEnv({
        DATABASE_URL: realServers.databaseUrl!,
        REDIS_URL: realServers.redisUrl!,
        AMQP_URL: realServers.amqpUrl!,
        RATE_LIMIT_AUTH_PER_MINUTE: "100000",
        RATE_LIMIT_USER_PER_MINUTE: "100000",
      });
      system = startProcess(["scripts/start.ts"], env);
      base = `http://127.0.0.1:${env.PORT}`;
      await waitFor(
        async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined),
        60_000,
        "the system to be ready",
      );
      alice = await signIn(base, "alice");
      bob = await signIn(base, "bob");
      photoUrl = await upload(base, alice, await samplePhoto(), "image/jpeg");
    }, 90_000);

    afterAll(() => system?.child.kill("SIGKILL"));

    it("a photo of people: stages in contract order, detections include person, 미분류 and no reward", async () => {
      const submitted = await submit(base, alice, { image_url: photoUrl });
      expect(submitted.status).toBe(200);
      expect(submitted.body.result_url).toBe(`/api/v1/scan/${submitted.body.job_id}/result`);
      const { events } = await follow(base, alice, submitted.body.job_id);
      expect(events.map((e) => `${e.event}:${e.data.status}`)).toEqual(CONTRACT_ORDER);
      expect(events.map((e) => e.data.seq)).toEqual([0, 10, 11, 20, 21, 30, 31, 40, 51]);
      expect(events.at(-1)!.data.progress).toBe("");
      const answer = await result(base, alice, submitted.body.job_id);
      expect(answer.status).toBe(200);
      const classified = answer.body.pipeline_result.classification_result;
      expect(classified.classification.major_category).toBe("미분류");
      expect(classified.meta.detections.map((d: { label: string }) => d.label)).toContain("person");
      expect(answer.body.pipeline_result.final_answer.user_answer).toContain("다시 찍어");
      expect(answer.body.reward).toBeNull();
    }, 60_000);

    it("the same photo said to be a clear PET bottle: 무색페트병, its rules, an answer and 페티 once", async () => {
      const scan = async () => {
        const submitted = await submit(base, alice, {
          image_url: photoUrl,
          user_input: "투명 페트병이에요",
        });
        expect(submitted.status).toBe(200);
        await follow(base, alice, submitted.body.job_id);
        return (await result(base, alice, submitted.body.job_id)).body;
      };
      const first = await scan();
      expect(first.pipeline_result.classification_result.classification).toMatchObject({
        major_category: "재활용폐기물",
        middle_category: "무색페트병",
      });
      expect(first.pipeline_result.disposal_rules.key).toBe("재활용폐기물_무색페트병");
      expect(Object.keys(first.pipeline_result.final_answer.disposal_steps)[0]).toBe("단계1");
      expect(first.reward).toMatchObject({ name: "페티", is_new: true });
      const second = await scan();
      expect(second.reward).toMatchObject({ name: "페티", is_new: false });
      const characters = await (
        await fetch(`${base}/api/v1/users/me/characters`, { headers: alice.headers })
      ).json();
      expect(characters.filter((c: { name: string }) => c.name === "페티")).toHaveLength(1);
    }, 60_000);

    it("someone else's result, stream and image are 404", async () => {
      const submitted = await submit(base, alice, { image_url: photoUrl });
      const jobId = submitted.body.job_id;
      expect((await result(base, bob, jobId)).status).toBe(404);
      expect((await follow(base, bob, jobId)).status).toBe(404);
      const stolen = await submit(base, bob, { image_url: photoUrl });
      expect(stolen.status).toBe(404);
      expect(stolen.body.code).toBe("IMAGE_NOT_FOUND");
      await follow(base, alice, jobId);
    }, 60_000);

    it("one X-Idempotency-Key gives one job", async () => {
      const key = { "x-idempotency-key": `key-${Date.now()}` };
      const [a, b] = await Promise.all([
        submit(base, alice, { image_url: photoUrl }, key),
        submit(base, alice, { image_url: photoUrl }, key),
      ]);
      expect(a.body.job_id).toBe(b.body.job_id);
      const again = await submit(base, alice, { image_url: photoUrl }, key);
      expect(again.body.job_id).toBe(a.body.job_id);
      await follow(base, alice, a.body.job_id);
    }, 60_000);

    it("refuses images that are not ours, lie about their type, or are too large", async () => {
      const foreign = await submit(base, alice, { image_url: "https://evil.example/cat.jpg" });
      expect(foreign.status).toBe(400);
      const lying = await upload(base, alice, await pngImage(), "image/jpeg");
      const lied = await submit(base, alice, { image_url: lying });
      expect(lied.status).toBe(415);
      expect(lied.body.code).toBe("UNSUPPORTED_MEDIA_TYPE");
      const huge = await upload(base, alice, await hugePng(), "image/png");
      const tooLarge = await submit(base, alice, { image_url: huge });
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.body.code).toBe("IMAGE_TOO_LARGE");
      const unknownModel = await submit(base, alice, { image_url: photoUrl, model: "gpt-0" });
      expect(unknownModel.status).toBe(400);
      expect(unknownModel.body.detail.supported_models).toContain("gpt-5.2");
    }, 60_000);

    it("exports the scan metrics the alert rules read", async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      expect(text).toMatch(/eco2_scan_jobs_total\{outcome="completed"\} \d+/);
      expect(text).toMatch(/eco2_scan_stage_seconds_bucket\{le="[^"]+",stage="vision"\}/);
      expect(text).toMatch(/eco2_scan_jobs_in_progress \d+/);
      expect(text).toMatch(/eco2_scan_oldest_in_progress_age_seconds \d/);
    });

    it("S2 answers 404 for a job that does not exist, and the stream refuses a short id", async () => {
      expect((await result(base, alice, "00000000-0000-0000-0000-000000000000")).status).toBe(404);
      const short = await fetch(`${base}/api/v1/scan/abc/events`, { headers: alice.headers });
      expect(short.status).toBe(400);
    });
  },
);
