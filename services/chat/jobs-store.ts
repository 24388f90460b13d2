// SQL of answer jobs, on the `chat` schema.
import type { Db } from "./store.ts";

export type JobStatus = "queued" | "processing" | "completed" | "failed";

export interface JobRow {
  readonly id: string;
  readonly chat_id: string;
  readonly user_id: string;
  readonly message: string;
  readonly image_url: string | null;
  readonly status: JobStatus;
  readonly created_at: Date;
  readonly updated_at: Date;
}

export async function insertJob(
  db: Db,
  job: { id: string; chatId: string; userId: string; message: string; imageUrl: string | null },
): Promise<void> {
  await db.query(
    "INSERT INTO jobs (id, chat_id, user_id, message, image_url) VALUES ($1, $2, $3, $4, $5)",
    [job.id, job.chatId, job.userId, job.message, job.imageUrl],
  );
}

export async function job(db: Db, id: string): Promise<JobRow | undefined> {
  const { rows } = await db.query<JobRow>("SELECT * FROM jobs WHERE id = $1", [id]);
  return rows[0];
}

export const isFinished = (status: JobStatus) => status === "completed" || status === "failed";

/**
 * advanceJob records that a job moved: its status (a finished job stays finished) and the time,
 * which the sweeper reads as the job's last sign of life.
 */
export async function advanceJob(db: Db, id: string, status: JobStatus): Promise<void> {
  await db.query(
    `UPDATE jobs SET status = $2, updated_at = now()
     WHERE id = $1 AND status IN ('queued', 'processing')`,
    [id, status],
  );
}

/** staleJobs are unfinished jobs with no event for `idleSeconds`: their worker is gone. */
export async function staleJobs(db: Db, idleSeconds: number): Promise<JobRow[]> {
  const { rows } = await db.query<JobRow>(
    `SELECT * FROM jobs WHERE status IN ('queued', 'processing')
     AND updated_at < now() - make_interval(secs => $1) ORDER BY updated_at LIMIT 100`,
    [idleSeconds],
  );
  return rows;
}
