// SQL of the scan service, on the `scan` schema.
import type pg from "pg";

type Db = Pick<pg.ClientBase, "query">;

export interface JobRow {
  readonly id: string;
  readonly user_id: string;
  readonly image_url: string;
  readonly image_key: string;
  readonly image_content_type: string;
  readonly user_input: string;
  readonly model: string;
  readonly status: "queued" | "processing" | "completed" | "failed";
  readonly current_stage: string | null;
  readonly progress: number | null;
  readonly result: Record<string, unknown> | null;
  readonly error: { code: string; message: string } | null;
  readonly created_at: Date;
}

export interface EventRow {
  readonly seq: number;
  readonly stage: string;
  readonly status: string;
  readonly progress: number | null;
  readonly result: unknown;
  readonly recorded_at: Date;
}

export interface NewJob {
  readonly id: string;
  readonly userId: string;
  readonly idempotencyKey: string | null;
  readonly imageUrl: string;
  readonly imageKey: string;
  readonly imageContentType: string;
  readonly userInput: string;
  readonly model: string;
}

/** insertJob creates a job; undefined when the user's idempotency key already names one. */
export async function insertJob(tx: Db, job: NewJob): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO jobs (id, user_id, idempotency_key, image_url, image_key, image_content_type, user_input, model)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (user_id, idempotency_key) DO NOTHING`,
    [
      job.id,
      job.userId,
      job.idempotencyKey,
      job.imageUrl,
      job.imageKey,
      job.imageContentType,
      job.userInput,
      job.model,
    ],
  );
  return rowCount === 1;
}

export async function jobByKey(db: Db, userId: string, key: string): Promise<JobRow | undefined> {
  const { rows } = await db.query<JobRow>(
    "SELECT * FROM jobs WHERE user_id = $1 AND idempotency_key = $2",
    [userId, key],
  );
  return rows[0];
}

export async function job(db: Db, id: string): Promise<JobRow | undefined> {
  const { rows } = await db.query<JobRow>("SELECT * FROM jobs WHERE id = $1", [id]);
  return rows[0];
}

export interface StageEvent {
  readonly jobId: string;
  readonly seq: number;
  readonly stage: string;
  readonly status: string;
  readonly progress: number | null;
  readonly result: unknown;
}

/** insertEvent records an event once; false when that seq of the job is already recorded. */
export async function insertEvent(tx: Db, event: StageEvent): Promise<Date | undefined> {
  const { rows } = await tx.query<{ recorded_at: Date }>(
    `INSERT INTO job_events (job_id, seq, stage, status, progress, result)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (job_id, seq) DO NOTHING RETURNING recorded_at`,
    [
      event.jobId,
      event.seq,
      event.stage,
      event.status,
      event.progress,
      JSON.stringify(event.result ?? null),
    ],
  );
  return rows[0]?.recorded_at;
}

/** advanceJob moves a job's summary forward with an event; a finished job stays finished. */
export async function advanceJob(
  tx: Db,
  event: StageEvent,
  outcome: { status: JobRow["status"]; result?: unknown; error?: JobRow["error"] },
): Promise<void> {
  await tx.query(
    `UPDATE jobs SET status = $2, current_stage = $3, progress = COALESCE($4, progress),
       result = COALESCE($5::jsonb, result), error = COALESCE($6::jsonb, error), updated_at = now()
     WHERE id = $1 AND status IN ('queued', 'processing')`,
    [
      event.jobId,
      outcome.status,
      event.stage,
      event.progress,
      outcome.result === undefined ? null : JSON.stringify(outcome.result),
      outcome.error ? JSON.stringify(outcome.error) : null,
    ],
  );
}

export async function eventsAfter(db: Db, jobId: string, afterSeq: number): Promise<EventRow[]> {
  const { rows } = await db.query<EventRow>(
    `SELECT seq, stage, status, progress, result, recorded_at FROM job_events
     WHERE job_id = $1 AND seq > $2 ORDER BY seq`,
    [jobId, afterSeq],
  );
  return rows;
}

/** staleJobs are unfinished jobs nothing has touched for `idleSeconds`: their worker is gone. */
export async function staleJobs(db: Db, idleSeconds: number): Promise<JobRow[]> {
  const { rows } = await db.query<JobRow>(
    `SELECT * FROM jobs WHERE status IN ('queued', 'processing')
     AND updated_at < now() - make_interval(secs => $1) ORDER BY updated_at LIMIT 100`,
    [idleSeconds],
  );
  return rows;
}

/** unfinished counts the jobs in progress and the age of the oldest, for the metrics. */
export async function unfinished(db: Db): Promise<{ count: number; oldestAgeSeconds: number }> {
  const { rows } = await db.query<{ count: number; oldest: number | null }>(
    `SELECT count(*)::int AS count, EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS oldest
     FROM jobs WHERE status IN ('queued', 'processing')`,
  );
  return { count: rows[0]?.count ?? 0, oldestAgeSeconds: rows[0]?.oldest ?? 0 };
}

export async function forgetUser(db: Db, userId: string): Promise<void> {
  await db.query("DELETE FROM jobs WHERE user_id = $1", [userId]);
}
