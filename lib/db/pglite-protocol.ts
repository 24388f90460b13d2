/**
 * The PostgreSQL wire-protocol details `servePglite` needs to give each client connection its own
 * view of PGlite's one session: startup settings, prepared-statement names and LISTEN channels.
 * @private Only for serve-pglite.ts.
 */

/** What one client connection keeps of its own in the shared session. */
export interface SessionView {
  /** Prefix of this connection's prepared-statement names in the shared session. */
  readonly statementPrefix: string;
  /** Its prepared statements (session names), deallocated when it closes. */
  readonly statements: Set<string>;
  /** Channels it LISTENs on: the shared session's notifications are routed to it by channel. */
  readonly channels: Set<string>;
  /** Its current batch UNLISTENs: the session's LISTENs other clients need are restored after. */
  unlistened: boolean;
}

// Startup parameters that describe the connection rather than a session setting.
const NOT_SETTINGS = new Set([
  "user",
  "database",
  "replication",
  "options",
  "fallback_application_name",
]);

/** parseStartup reads the session settings from a StartupMessage (length, protocol, pairs). */
export function parseStartup(message: Buffer): Map<string, string> {
  const settings = new Map<string, string>();
  const parts = message.subarray(8).toString("utf8").split("\0");
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const name = parts[i]!;
    const value = parts[i + 1]!;
    if (!name) break;
    if (name === "options") for (const [k, v] of parseOptions(value)) settings.set(k, v);
    else if (!NOT_SETTINGS.has(name)) settings.set(name, value);
  }
  return settings;
}

/** parseOptions reads `-c name=value` and `--name=value` pairs; `\ ` escapes a space. */
function parseOptions(options: string): Array<[string, string]> {
  const words = options.match(/(?:\\.|\S)+/g)?.map((w) => w.replace(/\\(.)/g, "$1")) ?? [];
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < words.length; i++) {
    let word = words[i]!;
    if (word === "-c") word = words[++i] ?? "";
    else if (word.startsWith("-c")) word = word.slice(2);
    else if (word.startsWith("--")) word = word.slice(2);
    else continue;
    const eq = word.indexOf("=");
    if (eq > 0) pairs.push([word.slice(0, eq).replaceAll("-", "_"), word.slice(eq + 1)]);
  }
  return pairs;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * renameStatement gives a connection's named prepared statements a per-connection name in PGlite's
 * single session, so two clients (or a client and its predecessor) preparing the same name do
 * not collide ("prepared statement already exists"). It rewrites the statement name in Parse,
 * Bind, Describe 'S' and Close 'S'; the unnamed statement and portal names stay as they are.
 */
export function renameStatement(conn: SessionView, type: string, message: Buffer): Buffer {
  // Where the statement name starts in each message that carries one (after type and length).
  let at: number;
  if (type === "P") at = 5;
  else if (type === "B")
    at = message.indexOf(0, 5) + 1; // after the portal name
  else if ((type === "D" || type === "C") && message[5] === 0x53 /* 'S' */) at = 6;
  else return message;
  const end = message.indexOf(0, at);
  if (at <= 0 || end < 0 || end === at) return message; // unnamed: shared by nobody
  const name = conn.statementPrefix + message.subarray(at, end).toString("utf8");
  if (type === "P") conn.statements.add(name);
  if (type === "C") conn.statements.delete(name);
  const renamed = Buffer.concat([
    message.subarray(0, at),
    Buffer.from(name, "utf8"),
    message.subarray(end),
  ]);
  renamed.writeInt32BE(renamed.length - 1, 1);
  return renamed;
}

/**
 * trackListen notes the channels a client LISTENs on or UNLISTENs from, read from the SQL of a
 * simple Query or a Parse. (A LISTEN that then fails stays noted: harmless, nothing is sent.)
 */
export function trackListen(conn: SessionView, type: string, message: Buffer): void {
  const textStart = type === "Q" ? 5 : message.indexOf(0, 5) + 1;
  const sql = message.subarray(textStart, message.indexOf(0, textStart)).toString("utf8");
  if (!/listen/i.test(sql)) return;
  for (const match of sql.matchAll(/\b(UN)?LISTEN\s+(?:"((?:[^"]|"")+)"|([\w$]+)|(\*))/gi)) {
    const channel = match[2]?.replaceAll('""', '"') ?? match[3]?.toLowerCase();
    if (!match[1] && channel) conn.channels.add(channel);
    else if (match[1]) {
      conn.unlistened = true;
      if (match[4]) conn.channels.clear();
      else if (channel) conn.channels.delete(channel);
    }
  }
}
