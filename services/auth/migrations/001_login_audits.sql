-- One row per completed login (CONTRACT §3.1 step 5). Users live in the my service's schema, so
-- user_id is no foreign key; the my.user_deleted consumer removes a deleted user's rows.
CREATE TABLE login_audits (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL,
  provider text NOT NULL,
  jti text NOT NULL,
  login_ip text,
  user_agent text,
  issued_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_audits_user_idx ON login_audits (user_id, issued_at DESC);
