// The ai worker as its own process beside the rest: killed in the middle of a job and started
// again, and configured with a vision provider that always fails.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { samplePhoto } from "../../workers/ai/vision/sample-photo.ts";
import {
  allInOneEnv,
  freePort,
  type RunningProcess,
  startProcess,
  waitFor,
} from "../support/processes.ts";
import { realServers, skipReason } from "../support/servers.ts";
import { readEvents } from "../support/sse.ts";
import { follow, result, type ScanUser, signIn, submit, upload } from "./scan-client.ts";

const skip =
  skipReason(realServers.databaseUrl, "DATABASE_URL") ??
  skipReason(realServers.redisUrl, "REDIS_URL") ??
  skipReason(realServers.amqpUrl, "AMQP_URL");

describe.skipIf(skip !== undefined)(`scan recovery with the ai worker apart ${skip ?? ""}`, () => {
  let rest: RunningProcess;
  let env: Record<string, string>;
  let base: string;
  let user: ScanUser;
  let photoUrl: string;
  const workers: RunningProcess[] = [];

  /** startWorker runs the ai worker alone, reaching the rest through the *_ADDR variables. */
  const startWorker = async (extra: Record<string, string> = {}) => {
    const grpc = Number(env.AI_ADDR!.split(":").at(-1));
    const worker = startProcess(["workers/ai/main.ts"], {
      ...env,
      GRPC_PORT: String(grpc),
      METRICS_PORT: String(await freePort()),
      BIND_HOST: "127.0.0.1",
      ...extra,
    });
    workers.push(worker);
    await waitFor(
      async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined),
      60_000,
      "the ai worker to be ready",
    );
    return worker;
  };

  beforeAll(async () => {
    env = await allInOneEnv({
      DATABASE_URL: realServers.databaseUrl!,
      REDIS_URL: realServers.redisUrl!,
      AMQP_URL: realServers.amqpUrl!,
      RATE_LIMIT_AUTH_PER_MINUTE: "100000",
      RATE_LIMIT_USER_PER_MINUTE: "100000",
      SCAN_STAGE_ATTEMPTS: "2",
      // Long enough for a worker restart, short enough to see the sweeper act.
      SCAN_JOB_IDLE_SECONDS: "15",
    });
    rest = startProcess(["scripts/start.ts"], { ...env, ALL_IN_ONE_EXCEPT: "ai" });
    base = `http://127.0.0.1:${env.PORT}`;
    await waitFor(
      async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined),
      60_000,
      "the gateway",
    );
    user = await signIn(base, "recovery");
    photoUrl = await upload(base, user, await samplePhoto(), "image/jpeg");
  }, 90_000);

  afterAll(() => {
    for (const worker of workers) worker.child.kill("SIGKILL");
    rest?.child.kill("SIGKILL");
  });

  it("a worker killed during a job: the restarted one finishes it, rewards once, and no stage repeats", async () => {
    const first = await startWorker();
    const submitted = await submit(base, user, {
      image_url: photoUrl,
      user_input: "투명 페트병이에요",
    });
    const jobId = submitted.body.job_id;
    const stream = await fetch(`${base}/api/v1/scan/${jobId}/events`, { headers: user.headers });
    const seen = await readEvents(stream, (event) => event.event === "vision", 30_000);
    expect(seen.at(-1)?.data.status).toBe("started");
    first.child.kill("SIGKILL");
    await first.exited;
    await startWorker();
    const { events } = await follow(base, user, jobId, seen.at(-1)?.id);
    const all = [...seen, ...events].map((e) => `${e.event}:${e.data.status}`);
    expect(new Set(all).size).toBe(all.length);
    expect(all.at(-1)).toBe("done:completed");
    const answer = await result(base, user, jobId);
    expect(answer.body.reward).toMatchObject({ name: "페티", is_new: true });
    const characters = await (
      await fetch(`${base}/api/v1/users/me/characters`, { headers: user.headers })
    ).json();
    expect(characters.filter((c: { name: string }) => c.name === "페티")).toHaveLength(1);
  }, 120_000);

  it("a vision stage that always fails ends the job failed, with an error event", async () => {
    for (const worker of workers) worker.child.kill("SIGKILL");
    await Promise.all(workers.map((worker) => worker.exited));
    // A provider nobody listens on: every vision attempt fails.
    await startWorker({
      OPENAI_API_KEY: "test-key",
      OPENAI_BASE_URL: `http://127.0.0.1:${await freePort()}/v1`,
    });
    const submitted = await submit(base, user, { image_url: photoUrl });
    const { events } = await follow(base, user, submitted.body.job_id);
    expect(events.at(-1)?.event).toBe("error");
    expect(events.at(-1)?.data).toMatchObject({ stage: "vision", status: "failed" });
    const answer = await result(base, user, submitted.body.job_id);
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe("failed");
    expect(answer.body.error.code).toBe("VISION_FAILED");
  }, 120_000);

  it("a job no worker takes is failed by the sweeper, so its stream ends instead of hanging", async () => {
    for (const worker of workers) worker.child.kill("SIGKILL");
    await Promise.all(workers.map((worker) => worker.exited));
    const submitted = await submit(base, user, { image_url: photoUrl });
    const { events } = await follow(base, user, submitted.body.job_id);
    expect(events.at(-1)).toMatchObject({ event: "error", data: { status: "failed" } });
    const answer = await result(base, user, submitted.body.job_id);
    expect(answer.body.status).toBe("failed");
    expect(answer.body.error.code).toBe("SCAN_TIMED_OUT");
  }, 60_000);
});
