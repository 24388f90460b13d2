import type pg from "pg";

export interface LoginAudit {
  readonly userId: string;
  readonly provider: string;
  readonly jti: string;
  readonly loginIp: string;
  readonly userAgent: string;
}

/** recordLogin writes the audit row of a completed login. */
export async function recordLogin(
  db: Pick<pg.ClientBase, "query">,
  audit: LoginAudit,
): Promise<void> {
  await db.query(
    `INSERT INTO login_audits (user_id, provider, jti, login_ip, user_agent)
     VALUES ($1, $2, $3, NULLIF($4, ''), NULLIF($5, ''))`,
    [
      audit.userId,
      audit.provider,
      audit.jti,
      audit.loginIp.slice(0, 64),
      audit.userAgent.slice(0, 512),
    ],
  );
}

/** forgetUser removes a deleted user's audit rows. */
export async function forgetUser(db: Pick<pg.ClientBase, "query">, userId: string): Promise<void> {
  await db.query("DELETE FROM login_audits WHERE user_id = $1", [userId]);
}
