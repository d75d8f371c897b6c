-- The step journal (issue 21): a step that may have a side effect is recorded as started, with
-- idempotent = 0, and committed before the side effect happens; crash recovery then knows whether
-- repeating it is safe. 1: repeating the step is harmless; null: not recorded (quick safe steps).
ALTER TABLE run_steps ADD COLUMN idempotent INTEGER;
