-- Tables for the resources of Petstore, as specgen derived them from the spec (mysql).
-- Migrations are append-only: once this file may have been applied, never edit it; a spec
-- change that alters a table gets a new migration file instead.

CREATE TABLE `pets` (
    `id` BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    `name` LONGTEXT NOT NULL,
    `status` LONGTEXT NOT NULL,
    `tag` LONGTEXT,
    `birth_date` DATE,
    `created_at` DATETIME(6) NOT NULL,
    `weight_kg` DOUBLE,
    `microchip_id` CHAR(36),
    `_owner` VARCHAR(255),
    CONSTRAINT `pets_status_check` CHECK (`status` IN ('available', 'pending', 'sold'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX `pets_owner_idx` ON `pets` (`_owner`);
