-- Eco news articles (CONTRACT §4, info schema). id is "{source}_{external_id}"; the URL is unique,
-- so one story reached through two feeds is stored once.
CREATE TABLE news_articles (
  id varchar(64) PRIMARY KEY,
  url text NOT NULL UNIQUE,
  title text NOT NULL,
  snippet text NOT NULL DEFAULT '',
  source varchar(32) NOT NULL,
  source_name varchar(128) NOT NULL,
  source_icon_url text,
  thumbnail_url text,
  video_url text,
  category varchar(32),
  keywords text[],
  ai_tag varchar(64),
  published_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  is_deleted boolean NOT NULL DEFAULT false
);

-- The feed reads newest first with keyset paging on (published_at, id), per category or source.
CREATE INDEX news_articles_category_idx ON news_articles (category, published_at DESC, id DESC)
  WHERE is_deleted = false;
CREATE INDEX news_articles_source_idx ON news_articles (source, published_at DESC)
  WHERE is_deleted = false;
CREATE INDEX news_articles_published_idx ON news_articles (published_at DESC, id DESC)
  WHERE is_deleted = false;
