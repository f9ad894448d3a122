-- Tables for the resources of Blog, as specgen derived them from the spec (mysql).
-- Migrations are append-only: once this file may have been applied, never edit it; a spec
-- change that alters a table gets a new migration file instead.

CREATE TABLE `users` (
    `id` CHAR(36) PRIMARY KEY,
    `username` VARCHAR(768) NOT NULL,
    `email` VARCHAR(768) NOT NULL,
    `display_name` LONGTEXT NOT NULL,
    `bio` LONGTEXT,
    `created_at` DATETIME(6) NOT NULL,
    `_owner` VARCHAR(255),
    `_seq` BIGINT NOT NULL AUTO_INCREMENT UNIQUE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX `users_owner_idx` ON `users` (`_owner`);
CREATE UNIQUE INDEX `users_username_key` ON `users` (`username`);
CREATE UNIQUE INDEX `users_email_key` ON `users` (`email`);

CREATE TABLE `posts` (
    `id` BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    `author_id` CHAR(36) NOT NULL,
    `title` LONGTEXT NOT NULL,
    `body` LONGTEXT NOT NULL,
    `tags` JSON NOT NULL,
    `published` BOOLEAN NOT NULL,
    `created_at` DATETIME(6) NOT NULL,
    `updated_at` DATETIME(6) NOT NULL,
    `_owner` VARCHAR(255),
    CONSTRAINT `posts_author_id_fkey` FOREIGN KEY (`author_id`) REFERENCES `users` (`id`) ON DELETE RESTRICT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX `posts_owner_idx` ON `posts` (`_owner`);

CREATE TABLE `comments` (
    `id` BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    `post_id` BIGINT NOT NULL,
    `author_id` CHAR(36) NOT NULL,
    `body` LONGTEXT NOT NULL,
    `created_at` DATETIME(6) NOT NULL,
    `_owner` VARCHAR(255),
    CONSTRAINT `comments_post_id_fkey` FOREIGN KEY (`post_id`) REFERENCES `posts` (`id`) ON DELETE CASCADE,
    CONSTRAINT `comments_author_id_fkey` FOREIGN KEY (`author_id`) REFERENCES `users` (`id`) ON DELETE RESTRICT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX `comments_post_id_idx` ON `comments` (`post_id`);
CREATE INDEX `comments_owner_idx` ON `comments` (`_owner`);
