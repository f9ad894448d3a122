-- Tables for the resources of Shop, as specgen derived them from the spec (sqlite).
-- Migrations are append-only: once this file may have been applied, never edit it; a spec
-- change that alters a table gets a new migration file instead.

CREATE TABLE "products" (
    "id" TEXT PRIMARY KEY,
    "sku" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "category" TEXT NOT NULL,
    "price_cents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "stock" INTEGER NOT NULL,
    "active" INTEGER NOT NULL,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);

CREATE TABLE "carts" (
    "id" TEXT PRIMARY KEY,
    "currency" TEXT NOT NULL,
    "items" TEXT NOT NULL,
    "total_cents" INTEGER NOT NULL,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    "_owner" TEXT
);
CREATE INDEX "carts_owner_idx" ON "carts" ("_owner");

CREATE TABLE "items" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "parent_cart_id" TEXT NOT NULL REFERENCES "carts" ("id") ON DELETE CASCADE,
    "product_id" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "unit_price_cents" INTEGER NOT NULL
);
CREATE INDEX "items_parent_cart_id_idx" ON "items" ("parent_cart_id");

CREATE TABLE "orders" (
    "id" TEXT PRIMARY KEY,
    "status" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "items" TEXT NOT NULL,
    "total_cents" INTEGER NOT NULL,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    "_owner" TEXT
);
CREATE INDEX "orders_owner_idx" ON "orders" ("_owner");
