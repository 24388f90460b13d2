// SQL of the character service, on the `character` schema.
import type pg from "pg";

type Db = Pick<pg.ClientBase, "query">;

export interface OwnershipRow {
  readonly character_code: string;
  readonly source: string;
  readonly acquired_at: Date;
}

export async function ownedBy(db: Db, userId: string): Promise<OwnershipRow[]> {
  const { rows } = await db.query<OwnershipRow>(
    `SELECT character_code, source, acquired_at FROM ownerships
     WHERE user_id = $1 AND status = 'owned' ORDER BY acquired_at, character_code`,
    [userId],
  );
  return rows;
}

/** own records ownership once; true when this call created it (the character is new to the user). */
export async function own(
  db: Db,
  grant: { userId: string; code: string; source: string; sourceRef: string | null },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO ownerships (user_id, character_code, source, source_ref)
     VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, character_code) DO NOTHING`,
    [grant.userId, grant.code, grant.source, grant.sourceRef],
  );
  return rowCount === 1;
}

export interface RewardGrantRow {
  readonly character_code: string;
  readonly is_new: boolean;
}

/** recordedGrant is the outcome of an earlier grant for the same job, if there was one. */
export async function recordedGrant(
  db: Db,
  sourceRef: string,
): Promise<RewardGrantRow | undefined> {
  const { rows } = await db.query<RewardGrantRow>(
    "SELECT character_code, is_new FROM reward_grants WHERE source_ref = $1",
    [sourceRef],
  );
  return rows[0];
}

export async function recordGrant(
  db: Db,
  grant: { sourceRef: string; userId: string; code: string; isNew: boolean },
): Promise<void> {
  await db.query(
    `INSERT INTO reward_grants (source_ref, user_id, character_code, is_new) VALUES ($1, $2, $3, $4)`,
    [grant.sourceRef, grant.userId, grant.code, grant.isNew],
  );
}

/** forgetUser removes a deleted user's collection. */
export async function forgetUser(db: Db, userId: string): Promise<void> {
  await db.query("DELETE FROM ownerships WHERE user_id = $1", [userId]);
  await db.query("DELETE FROM reward_grants WHERE user_id = $1", [userId]);
}
