-- Uploads the storage worker issued URLs for: who may use each key, what type it was declared as,
-- and, once processed, what the served image is (CONTRACT §A.6, §A.11, §3.7).
CREATE TABLE uploads (
  key text PRIMARY KEY,
  channel text NOT NULL CHECK (channel IN ('chat', 'scan', 'my')),
  uploader_id text NOT NULL,
  filename text NOT NULL,
  content_type text NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'processed')),
  width integer,
  height integer,
  size_bytes bigint,
  thumbnail_key text,
  created_at timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz
);
CREATE INDEX uploads_uploader_idx ON uploads (uploader_id, created_at DESC);
