-- Scan jobs and the stage events of each (CONTRACT S1, S2, §2.3). Events are the replayable
-- record a reconnecting stream reads; (job_id, seq) makes a redelivered stage a no-op.
CREATE TABLE jobs (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  idempotency_key text,
  image_url text NOT NULL,
  image_key text NOT NULL,
  image_content_type text NOT NULL,
  user_input text NOT NULL DEFAULT '',
  model text NOT NULL DEFAULT '',
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'processing', 'completed', 'failed')),
  current_stage text,
  progress int,
  result jsonb,
  error jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, idempotency_key)
);
CREATE INDEX jobs_unfinished_idx ON jobs (updated_at) WHERE status IN ('queued', 'processing');

CREATE TABLE job_events (
  job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  seq int NOT NULL,
  stage text NOT NULL,
  status text NOT NULL,
  progress int,
  result jsonb,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, seq)
);
