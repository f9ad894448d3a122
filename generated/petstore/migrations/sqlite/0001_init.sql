-- Tables for the resources of Petstore, as specgen derived them from the spec (sqlite).
-- Migrations are append-only: once this file may have been applied, never edit it; a spec
-- change that alters a table gets a new migration file instead.

CREATE TABLE "pets" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "tag" TEXT,
    "birth_date" TEXT,
    "created_at" TEXT NOT NULL,
    "weight_kg" REAL,
    "microchip_id" TEXT,
    "_owner" TEXT
);
CREATE INDEX "pets_owner_idx" ON "pets" ("_owner");
