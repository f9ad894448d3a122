-- Tables for the resources of Blog, as specgen derived them from the spec (sqlite).
-- Migrations are append-only: once this file may have been applied, never edit it; a spec
-- change that alters a table gets a new migration file instead.

CREATE TABLE "users" (
    "id" TEXT PRIMARY KEY,
    "username" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "bio" TEXT,
    "created_at" TEXT NOT NULL,
    "_owner" TEXT
);
CREATE INDEX "users_owner_idx" ON "users" ("_owner");
CREATE UNIQUE INDEX "users_username_key" ON "users" ("username");
CREATE UNIQUE INDEX "users_email_key" ON "users" ("email");

CREATE TABLE "posts" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "author_id" TEXT NOT NULL REFERENCES "users" ("id") ON DELETE RESTRICT,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "tags" TEXT NOT NULL,
    "published" INTEGER NOT NULL,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    "_owner" TEXT
);
CREATE INDEX "posts_owner_idx" ON "posts" ("_owner");

CREATE TABLE "comments" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "post_id" INTEGER NOT NULL REFERENCES "posts" ("id") ON DELETE CASCADE,
    "author_id" TEXT NOT NULL REFERENCES "users" ("id") ON DELETE RESTRICT,
    "body" TEXT NOT NULL,
    "created_at" TEXT NOT NULL,
    "_owner" TEXT
);
CREATE INDEX "comments_post_id_idx" ON "comments" ("post_id");
CREATE INDEX "comments_owner_idx" ON "comments" ("_owner");
