-- The stored state of the state machine: one table per expected model that declares `state`
-- (pipelines/engine/catalog.py, STATE), holding that model's rows for every subscription as
-- the last run that replayed it computed them. Private to the engine: written only by a bill
-- run's publish, in the same transaction as its documents and checkpoints, and read back by
-- later runs for the subscriptions that resume. Each table is created by the first publish
-- that needs it, with its model's columns; a full run rebuilds them all.
CREATE SCHEMA IF NOT EXISTS state;
