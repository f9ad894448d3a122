-- Tables for the resources of Shop, as specgen derived them from the spec (mysql).
-- Migrations are append-only: once this file may have been applied, never edit it; a spec
-- change that alters a table gets a new migration file instead.

CREATE TABLE `products` (
    `id` CHAR(36) PRIMARY KEY,
    `sku` LONGTEXT NOT NULL,
    `name` LONGTEXT NOT NULL,
    `description` LONGTEXT,
    `category` LONGTEXT NOT NULL,
    `price_cents` BIGINT NOT NULL,
    `currency` LONGTEXT NOT NULL,
    `stock` BIGINT NOT NULL,
    `active` BOOLEAN NOT NULL,
    `created_at` DATETIME(6) NOT NULL,
    `updated_at` DATETIME(6) NOT NULL,
    `_seq` BIGINT NOT NULL AUTO_INCREMENT UNIQUE,
    CONSTRAINT `products_currency_check` CHECK (`currency` IN ('EUR', 'USD', 'GBP'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `carts` (
    `id` CHAR(36) PRIMARY KEY,
    `currency` LONGTEXT NOT NULL,
    `items` JSON NOT NULL,
    `total_cents` BIGINT NOT NULL,
    `created_at` DATETIME(6) NOT NULL,
    `updated_at` DATETIME(6) NOT NULL,
    `_owner` VARCHAR(255),
    `_seq` BIGINT NOT NULL AUTO_INCREMENT UNIQUE,
    CONSTRAINT `carts_currency_check` CHECK (`currency` IN ('EUR', 'USD', 'GBP'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX `carts_owner_idx` ON `carts` (`_owner`);

CREATE TABLE `items` (
    `id` BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    `parent_cart_id` CHAR(36) NOT NULL,
    `product_id` CHAR(36) NOT NULL,
    `quantity` BIGINT NOT NULL,
    `unit_price_cents` BIGINT NOT NULL,
    CONSTRAINT `items_parent_cart_id_fkey` FOREIGN KEY (`parent_cart_id`) REFERENCES `carts` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX `items_parent_cart_id_idx` ON `items` (`parent_cart_id`);

CREATE TABLE `orders` (
    `id` CHAR(36) PRIMARY KEY,
    `status` LONGTEXT NOT NULL,
    `currency` LONGTEXT NOT NULL,
    `items` JSON NOT NULL,
    `total_cents` BIGINT NOT NULL,
    `created_at` DATETIME(6) NOT NULL,
    `updated_at` DATETIME(6) NOT NULL,
    `_owner` VARCHAR(255),
    `_seq` BIGINT NOT NULL AUTO_INCREMENT UNIQUE,
    CONSTRAINT `orders_status_check` CHECK (`status` IN ('pending', 'paid', 'shipped', 'cancelled')),
    CONSTRAINT `orders_currency_check` CHECK (`currency` IN ('EUR', 'USD', 'GBP'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX `orders_owner_idx` ON `orders` (`_owner`);
