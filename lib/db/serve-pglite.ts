import { createServer, type Server, type Socket } from "node:net";
import type { PGlite } from "@electric-sql/pglite";
import type { Logger } from "../log/create-logger.ts";
import {
  parseStartup,
  quoteIdent,
  renameStatement,
  type SessionView,
  trackListen,
} from "./pglite-protocol.ts";

export interface ServePgliteOptions {
  /** A ready PGlite instance; the server never closes it. */
  db: PGlite;
  /** Default "127.0.0.1": the embedded database is never reachable from another host. */
  host?: string;
  /** Default 0: a free port, read back from `PgliteServer.port`. */
  port?: number;
  /**
   * A connection that sits idle inside a transaction block this long is closed (and its
   * transaction rolled back), because it holds the whole database. PostgreSQL's
   * `idle_in_transaction_session_timeout`. Default 60000 ms; 0 disables.
   */
  idleInTransactionTimeoutMs?: number;
  log: Logger;
}

export interface PgliteServer {
  readonly host: string;
  readonly port: number;
  /** Number of client connections currently open. */
  readonly connections: () => number;
  /** close stops listening, ends every connection (rolling back its open transaction) and waits. */
  close(): Promise<void>;
}

// Protocol codes of the untyped first message of a connection.
const PROTOCOL_V3 = 196608;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

interface Connection extends SessionView {
  readonly socket: Socket;
  buffer: Buffer;
  started: boolean;
  closed: boolean;
  /** Session settings this client asked for at startup (startup parameters and `-c` options). */
  settings: Map<string, string>;
  settingsKey: string;
  /** Messages received since the last Sync or Query, sent to PGlite together. */
  batch: Buffer[];
  /** Serialises this connection's work in arrival order. */
  work: Promise<void>;
}

/**
 * servePglite speaks the PostgreSQL wire protocol on a TCP port in front of one PGlite instance,
 * so `pg` code runs unchanged against the embedded database. Written in place of
 * `@electric-sql/pglite-socket`'s server after measuring it (see lib/db/README.md): that server
 * accepts ONE connection by default, and with more it shares a single session between all of them
 * — `SET search_path` on one connection changes every other's, startup options are ignored — and it
 * hands PGlite one message at a time, so two clients' extended-protocol messages can interleave.
 *
 * Contract:
 * - any number of connections; PGlite runs one batch at a time. A batch is every message up to a
 *   Sync or a simple Query, run together, so unnamed statements and portals are never shared;
 * - a connection inside a transaction block owns the database until the block ends: other
 *   connections wait (no interleaving inside a transaction), and a connection that closes inside
 *   one has it rolled back;
 * - each connection gets its own session settings from its startup packet (`application_name`,
 *   `statement_timeout`, and `-c name=value` in `options`, e.g. `search_path`); they are applied
 *   before its batch whenever the previous batch belonged to a client with other settings.
 *   Settings changed later with `SET` are not tracked per connection: use startup settings;
 * - named prepared statements are renamed per connection (and deallocated when it closes), so
 *   clients preparing the same name do not collide in the shared session;
 * - a connection idle inside a transaction block for `idleInTransactionTimeoutMs` is closed;
 * - NOTIFY reaches the connections that LISTEN on its channel (LISTEN/UNLISTEN are read from
 *   their SQL), as on PostgreSQL, not the connection whose batch happened to commit it;
 * - not supported: COPY … FROM STDIN, cancel requests (ignored) and statement
 *   timeouts (PGlite has no timer interrupts: `statement_timeout` is accepted but not enforced).
 *   SSL is refused ('N'), as on a server without SSL.
 */
export async function servePglite(options: ServePgliteOptions): Promise<PgliteServer> {
  const { db, log } = options;
  const host = options.host ?? "127.0.0.1";
  const open = new Set<Connection>();
  let connectionCount = 0;

  // The lock: one owner at a time, FIFO for the rest. The owner keeps it across batches while it
  // is inside a transaction block.
  let owner: Connection | undefined;
  const waiters: Array<{ conn: Connection; grant: () => void }> = [];
  const acquire = (conn: Connection): Promise<void> => {
    if (owner === conn) return Promise.resolve();
    if (!owner) {
      owner = conn;
      return Promise.resolve();
    }
    return new Promise((grant) => waiters.push({ conn, grant }));
  };
  const release = (conn: Connection): void => {
    if (owner !== conn) return;
    const next = waiters.shift();
    owner = next?.conn;
    next?.grant();
  };

  // The settings last applied to PGlite's single session; undefined = unknown (after a startup).
  let appliedKey: string | undefined;
  const everSet = new Set<string>();
  const applySettings = async (conn: Connection): Promise<void> => {
    if (appliedKey === conn.settingsKey) return;
    for (const name of everSet) {
      const value = conn.settings.get(name);
      try {
        if (value === undefined) await db.query(`RESET ${quoteIdent(name)}`);
        else await db.query("SELECT set_config($1, $2, false)", [name, value]);
      } catch (err) {
        // An unknown parameter (e.g. fallback_application_name) is not a session setting.
        log.debug({ err, name }, "pglite setting not applied");
      }
    }
    appliedKey = conn.settingsKey;
  };

  const run = async (conn: Connection, message: Buffer): Promise<void> => {
    // PGlite's output comes in chunks that need not end on a message boundary; messages are
    // forwarded whole, so a NotificationResponse can be picked out and routed.
    let pending = Buffer.alloc(0);
    await db.execProtocolRawStream(new Uint8Array(message), {
      onRawData: (data) => {
        pending = pending.length === 0 ? Buffer.from(data) : Buffer.concat([pending, data]);
        let start = 0;
        let end = 0;
        while (pending.length - end >= 5) {
          const length = 1 + pending.readInt32BE(end + 1);
          if (pending.length - end < length) break;
          if (pending[end] === 0x41 /* 'A' NotificationResponse */) {
            if (end > start) write(conn, pending.subarray(start, end));
            routeNotification(pending.subarray(end, end + length));
            start = end + length;
          }
          end += length;
        }
        if (end > start) write(conn, pending.subarray(start, end));
        pending = pending.subarray(end);
      },
    });
    if (pending.length > 0) write(conn, pending);
  };

  const write = (conn: Connection, data: Buffer): void => {
    if (!conn.closed && data.length > 0) conn.socket.write(Buffer.from(data));
  };

  // In the one session, a NOTIFY is delivered to whichever client's batch commits it; PostgreSQL
  // delivers it to every session that LISTENs on the channel, so that is where it goes.
  const routeNotification = (message: Buffer): void => {
    const channelStart = 9; // type, length, sender pid
    const channel = message.subarray(channelStart, message.indexOf(0, channelStart)).toString();
    for (const listener of open) if (listener.channels.has(channel)) write(listener, message);
  };

  const startup = async (conn: Connection, message: Buffer): Promise<void> => {
    conn.settings = parseStartup(message);
    conn.settingsKey = JSON.stringify([...conn.settings].sort());
    for (const name of conn.settings.keys()) everSet.add(name);
    await acquire(conn);
    try {
      await run(conn, message);
      appliedKey = undefined;
    } finally {
      release(conn);
    }
  };

  const idleLimit = options.idleInTransactionTimeoutMs ?? 60_000;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;

  const flush = async (conn: Connection, endsCycle: boolean): Promise<void> => {
    const message = Buffer.concat(conn.batch);
    conn.batch = [];
    await acquire(conn);
    clearTimeout(idleTimer);
    if (conn.closed) return release(conn);
    try {
      await applySettings(conn);
      await run(conn, message);
      if (conn.unlistened) {
        // UNLISTEN acts on the one session: LISTEN again to what other clients still need.
        conn.unlistened = false;
        const needed = new Set([...open].flatMap((c) => [...c.channels]));
        for (const channel of needed) {
          await db.exec(`LISTEN ${quoteIdent(channel)}`).catch(() => {});
        }
      }
    } finally {
      // Hold the database while this client is mid-cycle (Flush before Sync) or inside a block.
      if (endsCycle && !db.isInTransaction()) release(conn);
      else if (idleLimit > 0 && !conn.closed) {
        idleTimer = setTimeout(() => {
          log.warn({ idleMs: idleLimit }, "pglite connection idle in transaction; closing it");
          conn.socket.destroy();
        }, idleLimit);
        idleTimer.unref?.();
      }
    }
  };

  const drain = async (conn: Connection): Promise<void> => {
    while (!conn.closed) {
      if (!conn.started) {
        if (conn.buffer.length < 8) return;
        const length = conn.buffer.readInt32BE(0);
        if (conn.buffer.length < length) return;
        const code = conn.buffer.readInt32BE(4);
        const message = conn.buffer.subarray(0, length);
        conn.buffer = conn.buffer.subarray(length);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) conn.socket.write("N");
        else if (code === CANCEL_REQUEST) conn.socket.end();
        else if (code === PROTOCOL_V3) {
          await startup(conn, message);
          conn.started = true;
        } else {
          conn.socket.end();
          return;
        }
        continue;
      }
      if (conn.buffer.length < 5) return;
      const length = 1 + conn.buffer.readInt32BE(1);
      if (conn.buffer.length < length) return;
      const type = String.fromCharCode(conn.buffer[0]!);
      const message = conn.buffer.subarray(0, length);
      conn.buffer = conn.buffer.subarray(length);
      if (type === "X") {
        conn.socket.end();
        return;
      }
      if (type === "Q" || type === "P") trackListen(conn, type, message);
      conn.batch.push(renameStatement(conn, type, message));
      if (type === "S" || type === "Q") await flush(conn, true);
      else if (type === "H") await flush(conn, false);
    }
  };

  const closeConnection = async (conn: Connection): Promise<void> => {
    if (conn.closed) return;
    conn.closed = true;
    open.delete(conn);
    const index = waiters.findIndex((w) => w.conn === conn);
    if (index >= 0) waiters.splice(index, 1);
    if (owner !== conn && conn.statements.size === 0) return;
    // Its turn, if it is not the owner already: the session's state is about to change.
    await acquire(conn);
    try {
      clearTimeout(idleTimer);
      // A client gone mid-transaction must not leave the shared session inside its block.
      if (db.isInTransaction()) {
        await db.exec("ROLLBACK").catch((err) => log.warn({ err }, "pglite rollback failed"));
      }
      for (const name of conn.statements) {
        await db.exec(`DEALLOCATE ${quoteIdent(name)}`).catch(() => {});
      }
    } finally {
      release(conn);
    }
  };

  const server: Server = createServer((socket) => {
    socket.setNoDelay(true);
    const conn: Connection = {
      socket,
      buffer: Buffer.alloc(0),
      started: false,
      closed: false,
      settings: new Map(),
      settingsKey: "[]",
      batch: [],
      work: Promise.resolve(),
      statementPrefix: `c${++connectionCount}_`,
      statements: new Set(),
      channels: new Set(),
      unlistened: false,
    };
    open.add(conn);
    socket.on("data", (chunk: Buffer) => {
      conn.buffer = conn.buffer.length === 0 ? chunk : Buffer.concat([conn.buffer, chunk]);
      conn.work = conn.work
        .then(() => drain(conn))
        .catch((err) => {
          log.error({ err }, "pglite connection failed");
          socket.destroy();
        });
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      // After queued work, so a batch in flight finishes before the rollback check.
      conn.work = conn.work.then(() => closeConnection(conn));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;

  return {
    host,
    port,
    connections: () => open.size,
    async close() {
      const closing = new Promise<void>((resolve) => server.close(() => resolve()));
      const pending = [...open].map((conn) => {
        conn.socket.destroy();
        return conn.work.then(() => closeConnection(conn));
      });
      await Promise.all(pending);
      await closing;
    },
  };
}
