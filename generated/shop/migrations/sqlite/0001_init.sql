-- Tables for the resources of Shop, as specgen derived them from the spec (sqlite).
-- Migrations are append-only: once this file may have been applied, never edit it; a spec
-- change that alters a table gets a new migration file instead.

CREATE TABLE "products" (
    "id" TEXT PRIMARY KEY,
    "sku" TEXT,
    "name" TEXT,
    "description" TEXT,
    "category" TEXT,
    "price_cents" INTEGER,
    "currency" TEXT,
    "stock" INTEGER,
    "active" INTEGER,
    "created_at" TEXT,
    "updated_at" TEXT
);

CREATE TABLE "carts" (
    "id" TEXT PRIMARY KEY,
    "currency" TEXT,
    "items" TEXT,
    "total_cents" INTEGER,
    "created_at" TEXT,
    "updated_at" TEXT
);

CREATE TABLE "items" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "parent_cart_id" TEXT NOT NULL,
    "product_id" TEXT,
    "quantity" INTEGER,
    "unit_price_cents" INTEGER
);
CREATE INDEX "items_parent_idx" ON "items" ("parent_cart_id");

CREATE TABLE "orders" (
    "id" TEXT PRIMARY KEY,
    "status" TEXT,
    "currency" TEXT,
    "items" TEXT,
    "total_cents" INTEGER,
    "created_at" TEXT,
    "updated_at" TEXT
);
