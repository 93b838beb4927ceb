CREATE TABLE nodes (uuid text PRIMARY KEY, version_id text NOT NULL DEFAULT '');
