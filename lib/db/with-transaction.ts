import type pg from "pg";

/**
 * withTransaction runs `fn` inside BEGIN … COMMIT on one pooled connection and returns its result.
 * - If `fn` throws, or COMMIT fails, the transaction is rolled back and the error rethrown.
 * - The connection always goes back to the pool; one that failed (killed backend, broken socket,
 *   failed ROLLBACK) is destroyed instead of returned, so it cannot poison the next caller.
 * - A pooled connection found dead at BEGIN (its backend was terminated while it sat idle, and
 *   the pool had not noticed yet) is discarded and another taken, up to the pool's size + 1
 *   times: nothing of `fn` has run, so trying again is safe. Failures after BEGIN are never
 *   retried here.
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const attempts = ((pool as { options?: { max?: number } }).options?.max ?? 10) + 1;
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken: Error | undefined;
    // A connection that dies while checked out emits 'error' on the client, not the pool;
    // without a listener that would be an unhandled error event.
    const onError = (err: Error) => {
      broken = err;
    };
    client.on("error", onError);
    try {
      try {
        await client.query("BEGIN");
      } catch (err) {
        broken ??= err as Error;
        if (attempt < attempts && isConnectionFailure(err)) continue;
        throw err;
      }
      try {
        const result = await fn(client);
        await client.query("COMMIT");
        return result;
      } catch (err) {
        if (!broken) {
          try {
            await client.query("ROLLBACK");
          } catch (rollbackErr) {
            broken = rollbackErr as Error;
          }
        }
        throw err;
      }
    } finally {
      client.off("error", onError);
      // release(err) destroys the connection instead of pooling it.
      client.release(broken ?? undefined);
    }
  }
}

// The backend is gone (terminated, shut down, crashed) or the socket is: the connection is dead.
const CONNECTION_FAILURES = new Set(["57P01", "57P02", "57P03", "08000", "08003", "08006"]);

function isConnectionFailure(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (e.code && CONNECTION_FAILURES.has(e.code)) return true;
  return /Connection terminated|connection (?:is )?closed|ECONNRESET|EPIPE/i.test(e.message ?? "");
}
