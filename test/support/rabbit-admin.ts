import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * closeRabbitConnections closes, from the broker side, every connection whose client-provided
 * name is `connectionName` (rabbitmq-client's `connectionName`), as a broker restart or a network
 * cut would. Other connections on the shared broker are left alone. Returns how many it closed.
 * Needs `rabbitmqctl` and the rights to run it (root on the test machine).
 */
export async function closeRabbitConnections(connectionName: string): Promise<number> {
  const { stdout } = await run("rabbitmqctl", [
    "-q",
    "list_connections",
    "pid",
    "client_properties",
  ]);
  const pids = stdout
    .split("\n")
    .filter((line) => line.includes(`{"connection_name","${connectionName}"}`))
    .map((line) => line.split("\t")[0]!)
    .filter((pid) => pid.startsWith("<"));
  for (const pid of pids) {
    await run("rabbitmqctl", ["-q", "close_connection", pid, "fault test"]);
  }
  return pids.length;
}

/** deleteRabbitExchanges removes test exchanges (queues are removed by `bus.deleteConsumer`). */
export async function deleteRabbitExchanges(url: string, exchanges: string[]): Promise<void> {
  const { Connection } = await import("rabbitmq-client");
  const conn = new Connection({ url, noDelay: true });
  try {
    for (const exchange of exchanges) await conn.exchangeDelete({ exchange });
  } finally {
    await conn.close();
  }
}
