import type pg from "pg";

/**
 * withTransaction runs `fn` inside BEGIN … COMMIT on one pooled connection and returns its result.
 * If `fn` throws, or COMMIT fails, the transaction is rolled back and the error rethrown. The
 * connection always goes back to the pool; one that failed (killed backend, broken socket, failed
 * ROLLBACK) is destroyed instead of returned, so it cannot poison the next caller.
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // A connection that dies while checked out emits 'error' on the client, not the pool; without
  // a listener that would be an unhandled error event.
  const onError = (err: Error) => {
    broken = err;
  };
  client.on("error", onError);
  try {
    await client.query("BEGIN");
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
  } finally {
    client.off("error", onError);
    // release(err) destroys the connection instead of pooling it.
    client.release(broken ?? undefined);
  }
}
