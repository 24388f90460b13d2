-- Users, their social logins and their character collection (CONTRACT §4, users schema).
CREATE TABLE accounts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  nickname text,
  name text,
  email varchar(320),
  phone_number varchar(20) UNIQUE,
  profile_image_url text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  last_login_at timestamptz
);
CREATE INDEX accounts_nickname_idx ON accounts (nickname) WHERE nickname IS NOT NULL;
CREATE INDEX accounts_email_idx ON accounts (email) WHERE email IS NOT NULL;

CREATE TABLE social_accounts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  provider text NOT NULL,
  provider_user_id text NOT NULL,
  email varchar(320),
  last_login_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (provider, provider_user_id)
);
CREATE INDEX social_accounts_user_idx ON social_accounts (user_id);

CREATE TABLE user_characters (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  character_id uuid NOT NULL,
  character_code text NOT NULL,
  character_name text NOT NULL,
  character_type text,
  character_dialog text,
  source text,
  status text NOT NULL DEFAULT 'owned' CHECK (status IN ('owned', 'burned', 'traded')),
  acquired_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, character_code)
);
CREATE INDEX user_characters_user_idx ON user_characters (user_id);
