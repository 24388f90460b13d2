// SQL of the my service; every query runs on the `my` schema's pool (search_path my, public).
import type pg from "pg";

export interface AccountRow {
  readonly id: string;
  readonly nickname: string | null;
  readonly name: string | null;
  readonly email: string | null;
  readonly phone_number: string | null;
  readonly profile_image_url: string | null;
  readonly last_login_at: Date | null;
}

export interface SocialLogin {
  readonly provider: string;
  readonly last_login_at: Date | null;
}

export interface NewSocialAccount {
  readonly provider: string;
  readonly providerUserId: string;
  readonly email: string;
  readonly nickname: string;
  readonly profileImageUrl: string;
}

type Db = Pick<pg.ClientBase, "query">;

const ACCOUNT_COLUMNS =
  "a.id, a.nickname, a.name, a.email, a.phone_number, a.profile_image_url, a.last_login_at";

export async function findAccount(db: Db, userId: string): Promise<AccountRow | undefined> {
  const { rows } = await db.query<AccountRow>(
    `SELECT ${ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = $1`,
    [userId],
  );
  return rows[0];
}

export async function socialLogins(db: Db, userId: string): Promise<SocialLogin[]> {
  const { rows } = await db.query<SocialLogin>(
    `SELECT provider, last_login_at FROM social_accounts WHERE user_id = $1
     ORDER BY last_login_at DESC NULLS LAST, created_at DESC`,
    [userId],
  );
  return rows;
}

/** signInExisting records a login of a known social account and returns its user. */
export async function signInExisting(
  db: Db,
  provider: string,
  providerUserId: string,
): Promise<AccountRow | undefined> {
  const { rows } = await db.query<AccountRow>(
    `WITH social AS (
       UPDATE social_accounts SET last_login_at = now(), updated_at = now()
       WHERE provider = $1 AND provider_user_id = $2 RETURNING user_id)
     UPDATE accounts a SET last_login_at = now() FROM social WHERE a.id = social.user_id
     RETURNING ${ACCOUNT_COLUMNS}`,
    [provider, providerUserId],
  );
  return rows[0];
}

/**
 * createWithSocial creates an account and its social login in the caller's transaction. It
 * returns undefined when another request created that social login first (the caller rolls back
 * and signs in the existing account).
 */
export async function createWithSocial(
  tx: Db,
  login: NewSocialAccount,
): Promise<AccountRow | undefined> {
  const { rows } = await tx.query<AccountRow>(
    `INSERT INTO accounts AS a (nickname, email, profile_image_url, last_login_at)
     VALUES (NULLIF($1, ''), NULLIF($2, ''), NULLIF($3, ''), now())
     RETURNING ${ACCOUNT_COLUMNS}`,
    [login.nickname, login.email, login.profileImageUrl],
  );
  const account = rows[0]!;
  const social = await tx.query(
    `INSERT INTO social_accounts (user_id, provider, provider_user_id, email, last_login_at)
     VALUES ($1, $2, $3, NULLIF($4, ''), now())
     ON CONFLICT (provider, provider_user_id) DO NOTHING RETURNING id`,
    [account.id, login.provider, login.providerUserId, login.email],
  );
  return social.rowCount === 1 ? account : undefined;
}

export async function updateAccount(
  db: Db,
  userId: string,
  changes: { nickname?: string; phoneNumber?: string },
): Promise<AccountRow | undefined> {
  const { rows } = await db.query<AccountRow>(
    `UPDATE accounts a SET
       nickname = COALESCE($2, a.nickname),
       phone_number = COALESCE($3, a.phone_number),
       updated_at = now()
     WHERE a.id = $1 RETURNING ${ACCOUNT_COLUMNS}`,
    [userId, changes.nickname ?? null, changes.phoneNumber ?? null],
  );
  return rows[0];
}

/** deleteAccount removes the account; social logins and characters go with it (cascade). */
export async function deleteAccount(tx: Db, userId: string): Promise<boolean> {
  const { rowCount } = await tx.query("DELETE FROM accounts WHERE id = $1", [userId]);
  return rowCount === 1;
}
