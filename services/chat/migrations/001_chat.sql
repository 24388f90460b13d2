-- Conversations with 이코, their messages (CONTRACT §4 chat, C1–C7) and the answer jobs.
-- user_id has no foreign key: accounts live in another service's schema; my.user_deleted cleans up.
CREATE TABLE conversations (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  title text,
  preview text,
  message_count int NOT NULL DEFAULT 0 CHECK (message_count >= 0),
  last_message_at timestamptz,
  is_deleted boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- C1: a user's live chats, latest activity first (NULLS LAST), id breaking ties for the cursor.
CREATE INDEX conversations_recent_idx
  ON conversations (user_id, last_message_at DESC NULLS LAST, id DESC) WHERE NOT is_deleted;

-- Messages are written once the answer is final (chat.answered); (job_id, role) makes a
-- redelivered answer a no-op.
CREATE TABLE messages (
  id uuid PRIMARY KEY,
  chat_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('user', 'assistant')),
  content text NOT NULL,
  image_url text,
  intent text,
  metadata jsonb,
  job_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (job_id, role)
);
-- C3 history order: created_at, the user's message before the answer at a tie, then id.
CREATE INDEX messages_history_idx ON messages (chat_id, created_at, (role = 'assistant'), id);

-- One job per message sent: the ai worker answers it; its events live in a Redis stream.
CREATE TABLE jobs (
  id uuid PRIMARY KEY,
  chat_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  user_id uuid NOT NULL,
  message text NOT NULL,
  image_url text,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'processing', 'completed', 'failed')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_unfinished_idx ON jobs (updated_at) WHERE status IN ('queued', 'processing');
CREATE INDEX jobs_chat_idx ON jobs (chat_id);
