-- Upstream tables as loaded by `billing load`: one table per contract table, rows that passed
-- validation only. Each load replaces these tables whole (upstream delivers full snapshots).
-- Money is DECIMAL(18,6) (price scale s <= 6), never floating point.
CREATE SCHEMA IF NOT EXISTS upstream;

CREATE TABLE IF NOT EXISTS upstream.accounts (
    account_id VARCHAR NOT NULL, name VARCHAR, currency VARCHAR NOT NULL,
    credit_limit DECIMAL(18, 6) NOT NULL, classification VARCHAR, created_on DATE
);
CREATE TABLE IF NOT EXISTS upstream.payment_methods (
    payment_method_id VARCHAR NOT NULL, account_id VARCHAR NOT NULL, kind VARCHAR NOT NULL,
    is_primary BOOLEAN NOT NULL, token VARCHAR, status VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS upstream.products (
    product_id VARCHAR NOT NULL, name VARCHAR, kind VARCHAR NOT NULL, tier_path VARCHAR,
    bundle_kind VARCHAR
);
CREATE TABLE IF NOT EXISTS upstream.bundle_components (
    bundle_product_id VARCHAR NOT NULL, component_product_id VARCHAR NOT NULL,
    mandatory BOOLEAN NOT NULL, extra_amount DECIMAL(18, 6)
);
CREATE TABLE IF NOT EXISTS upstream.price_terms (
    price_term_id VARCHAR NOT NULL, valid_from DATE NOT NULL, product_id VARCHAR NOT NULL,
    currency VARCHAR NOT NULL, billing_cycle VARCHAR, amount DECIMAL(18, 6) NOT NULL,
    billing_model VARCHAR NOT NULL, trial_days INTEGER NOT NULL, termed_cycles INTEGER,
    auto_renew BOOLEAN NOT NULL, contract_cycles INTEGER, cancellation_fee DECIMAL(18, 6) NOT NULL,
    tax_rate DECIMAL(9, 6) NOT NULL, concurrent_usage BOOLEAN NOT NULL
);
CREATE TABLE IF NOT EXISTS upstream.allowances (
    price_term_id VARCHAR NOT NULL, usage_product_id VARCHAR NOT NULL,
    units_per_cycle DECIMAL(18, 6) NOT NULL
);
CREATE TABLE IF NOT EXISTS upstream.subscriptions (
    subscription_id VARCHAR NOT NULL, account_id VARCHAR NOT NULL, currency VARCHAR NOT NULL,
    billing_cycle VARCHAR NOT NULL, billing_model VARCHAR, billing_method VARCHAR,
    billing_day INTEGER, bill_days_before INTEGER, payment_method_id VARCHAR,
    agreement_date DATE, concurrent_usage INTEGER, rate_percent DECIMAL(9, 4)
);
CREATE TABLE IF NOT EXISTS upstream.services (
    service_id VARCHAR NOT NULL, subscription_id VARCHAR NOT NULL, product_id VARCHAR NOT NULL,
    price_term_id VARCHAR NOT NULL, quantity INTEGER NOT NULL, ordered_on DATE NOT NULL,
    parent_service_id VARCHAR
);
CREATE TABLE IF NOT EXISTS upstream.actions (
    action_id VARCHAR NOT NULL, subscription_id VARCHAR NOT NULL, service_id VARCHAR,
    action VARCHAR NOT NULL, status VARCHAR NOT NULL, status_changed_at TIMESTAMP,
    effective_on DATE NOT NULL, recorded_at TIMESTAMP NOT NULL, new_product_id VARCHAR,
    new_price_term_id VARCHAR, new_quantity INTEGER, days INTEGER, until_date DATE,
    cycles INTEGER, auto_renew BOOLEAN, billing_day INTEGER, payment_method_id VARCHAR,
    promotion_id VARCHAR, reason VARCHAR
);
CREATE TABLE IF NOT EXISTS upstream.usage (
    usage_id VARCHAR NOT NULL, service_id VARCHAR NOT NULL, usage_product_id VARCHAR NOT NULL,
    occurred_on DATE NOT NULL, quantity DECIMAL(18, 6) NOT NULL
);
CREATE TABLE IF NOT EXISTS upstream.promotions (
    promotion_id VARCHAR NOT NULL, kind VARCHAR NOT NULL, value DECIMAL(18, 6) NOT NULL,
    cycles INTEGER, product_id VARCHAR, auto_apply BOOLEAN NOT NULL
);
CREATE TABLE IF NOT EXISTS upstream.transactions (
    transaction_id VARCHAR NOT NULL, account_id VARCHAR NOT NULL, kind VARCHAR NOT NULL,
    amount DECIMAL(18, 6) NOT NULL, currency VARCHAR NOT NULL, occurred_on DATE NOT NULL,
    payment_request_id VARCHAR
);
CREATE TABLE IF NOT EXISTS upstream.currencies (
    currency VARCHAR NOT NULL, minor_units INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS upstream.business_rules (
    key VARCHAR NOT NULL, value VARCHAR NOT NULL, valid_from DATE NOT NULL
);

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
