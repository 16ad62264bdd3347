-- The upstream schema as loaded by `billing load`: one table per contract table, rows that
-- passed validation only. Each load replaces these tables whole (upstream delivers full
-- snapshots). The contract tables are declared once, by their pandera models (models/):
-- their CREATE TABLE statements are generated from them (models/ddl.py,
-- upstream_table_statements) and run after this file. Money is DECIMAL(18,6) (price scale
-- s <= 6), never floating point. This file creates the schema and the bookkeeping tables.
CREATE SCHEMA IF NOT EXISTS upstream;

-- The effective minor units: the ISO 4217 table shipped with the product, overridden or
-- extended by the optional upstream `currencies` table. Rebuilt by every load.
CREATE TABLE IF NOT EXISTS upstream.currency_minor_units (
    currency VARCHAR NOT NULL, minor_units INTEGER NOT NULL
);

-- One row per failed check of the last load. A row that fails several checks has several
-- rows here; a row quarantined because a row it references was quarantined has
-- check_name = 'dependency_quarantined'. subscription_id, service_id and price_term_id are
-- the references read from the bad row (as text, possibly unparseable) so that the engine can
-- freeze the services the row would have touched. source_row is the row's 1-based position in
-- its file (after the header): two rows with the same key are two quarantined rows.
CREATE TABLE IF NOT EXISTS upstream.quarantine (
    load_id VARCHAR NOT NULL, table_name VARCHAR NOT NULL, row_key VARCHAR,
    column_name VARCHAR, check_name VARCHAR NOT NULL, message VARCHAR NOT NULL,
    subscription_id VARCHAR, service_id VARCHAR, price_term_id VARCHAR, source_row BIGINT
);

-- Row counts of the last load, one row per contract table: read = loaded + quarantined.
CREATE TABLE IF NOT EXISTS upstream.load_stats (
    load_id VARCHAR NOT NULL, table_name VARCHAR NOT NULL, source_file VARCHAR,
    rows_read BIGINT NOT NULL, rows_loaded BIGINT NOT NULL, rows_quarantined BIGINT NOT NULL
);

-- Derived by every load from the snapshot it writes (sql/load/, each file says what a row
-- is); created empty here for a warehouse loaded before the load derived them: until the
-- next load, every run then computes every subscription (run_scope).
CREATE TABLE IF NOT EXISTS upstream.subscription_fingerprints (
    subscription_id VARCHAR, fingerprint UBIGINT
);
CREATE TABLE IF NOT EXISTS upstream.tied_accounts (account_id VARCHAR);

-- One row per load ever made (the last one is the snapshot in force).
CREATE TABLE IF NOT EXISTS upstream.loads (
    load_id VARCHAR NOT NULL, source_dir VARCHAR NOT NULL, loaded_at TIMESTAMP NOT NULL
);

-- The terms agreed at the start (domain.md §11), as first seen by any load. Kept across loads:
-- a later snapshot that changes one of these columns is quarantined (frozen_column_changed).
CREATE TABLE IF NOT EXISTS upstream.agreed_subscription_terms (
    subscription_id VARCHAR NOT NULL, billing_day INTEGER, billing_cycle VARCHAR,
    billing_model VARCHAR, billing_method VARCHAR, currency VARCHAR, first_load_id VARCHAR
);
CREATE TABLE IF NOT EXISTS upstream.agreed_service_terms (
    service_id VARCHAR NOT NULL, subscription_id VARCHAR, product_id VARCHAR,
    price_term_id VARCHAR, quantity INTEGER, ordered_on DATE, first_load_id VARCHAR
);
