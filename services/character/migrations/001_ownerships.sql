-- Who owns which character (CONTRACT §3.3, §4 character schema). Characters themselves are catalog
-- data shipped with the service (catalog.json), so rows carry the code and the card as granted.
CREATE TABLE ownerships (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL,
  character_code varchar(64) NOT NULL,
  source text NOT NULL,
  source_ref text,
  status text NOT NULL DEFAULT 'owned' CHECK (status IN ('owned', 'burned', 'traded')),
  acquired_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, character_code)
);
CREATE INDEX ownerships_user_idx ON ownerships (user_id);

-- One row per rewarded job: a retried grant answers exactly as the first one did (is_new).
CREATE TABLE reward_grants (
  source_ref text PRIMARY KEY,
  user_id uuid NOT NULL,
  character_code varchar(64) NOT NULL,
  is_new boolean NOT NULL,
  granted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reward_grants_user_idx ON reward_grants (user_id);
