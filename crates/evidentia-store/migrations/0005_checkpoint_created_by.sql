-- Evidentia workspace format 5: a checkpoint names who made it (the acting user the façade
-- passes: a PostgreSQL role, a configured name). NULL for checkpoints made before format 5.
-- Not covered by any hash, like `created_at`: the signed note covers the tree head only.
-- Never edit this file once shipped; add a new migration instead.

ALTER TABLE checkpoints ADD COLUMN created_by TEXT;
