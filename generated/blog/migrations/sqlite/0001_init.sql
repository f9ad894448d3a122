-- Tables for the resources of Blog, as specgen derived them from the spec (sqlite).
-- Migrations are append-only: once this file may have been applied, never edit it; a spec
-- change that alters a table gets a new migration file instead.

CREATE TABLE "users" (
    "id" TEXT PRIMARY KEY,
    "username" TEXT,
    "email" TEXT,
    "display_name" TEXT,
    "bio" TEXT,
    "created_at" TEXT
);

CREATE TABLE "posts" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "author_id" TEXT,
    "title" TEXT,
    "body" TEXT,
    "tags" TEXT,
    "published" INTEGER,
    "created_at" TEXT,
    "updated_at" TEXT
);

CREATE TABLE "comments" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "parent_post_id" TEXT NOT NULL,
    "post_id" INTEGER,
    "author_id" TEXT,
    "body" TEXT,
    "created_at" TEXT
);
CREATE INDEX "comments_parent_idx" ON "comments" ("parent_post_id");
