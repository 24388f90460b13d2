// SQL of the storage worker; every query runs on the `storage` schema's pool (search_path storage, public).
import type pg from "pg";

export interface UploadRow {
  readonly key: string;
  readonly channel: string;
  readonly uploader_id: string;
  readonly filename: string;
  readonly content_type: string;
  readonly metadata: Record<string, unknown>;
  readonly state: "pending" | "processed";
  readonly width: number | null;
  readonly height: number | null;
  /** bigint comes back as text from pg. */
  readonly size_bytes: string | null;
  readonly thumbnail_key: string | null;
  readonly created_at: Date;
  readonly processed_at: Date | null;
}

export interface NewUpload {
  readonly key: string;
  readonly channel: string;
  readonly uploaderId: string;
  readonly filename: string;
  readonly contentType: string;
  readonly metadata: Record<string, unknown>;
}

export interface ProcessedInfo {
  readonly contentType: string;
  readonly width: number;
  readonly height: number;
  readonly sizeBytes: number;
  readonly thumbnailKey: string;
}

type Db = Pick<pg.ClientBase, "query">;

export async function insertUpload(db: Db, upload: NewUpload): Promise<void> {
  await db.query(
    `INSERT INTO uploads (key, channel, uploader_id, filename, content_type, metadata)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      upload.key,
      upload.channel,
      upload.uploaderId,
      upload.filename,
      upload.contentType,
      JSON.stringify(upload.metadata),
    ],
  );
}

/** findUpload reads an upload of this uploader; someone else's key reads as absent. */
export async function findUpload(
  db: Db,
  key: string,
  uploaderId: string,
): Promise<UploadRow | undefined> {
  const { rows } = await db.query<UploadRow>(
    "SELECT * FROM uploads WHERE key = $1 AND uploader_id = $2",
    [key, uploaderId],
  );
  return rows[0];
}

/** findUploadByKey reads an upload whoever made it: only for work no caller asked for. */
export async function findUploadByKey(db: Db, key: string): Promise<UploadRow | undefined> {
  const { rows } = await db.query<UploadRow>("SELECT * FROM uploads WHERE key = $1", [key]);
  return rows[0];
}

/**
 * markProcessed records the processed image. A row processed already keeps its first record, so
 * two workers racing on one key agree on what was stored.
 */
export async function markProcessed(db: Db, key: string, info: ProcessedInfo): Promise<UploadRow> {
  await db.query(
    `UPDATE uploads SET state = 'processed', content_type = $2, width = $3, height = $4,
       size_bytes = $5, thumbnail_key = $6, processed_at = now()
     WHERE key = $1 AND state = 'pending'`,
    [key, info.contentType, info.width, info.height, info.sizeBytes, info.thumbnailKey],
  );
  return (await findUploadByKey(db, key))!;
}
