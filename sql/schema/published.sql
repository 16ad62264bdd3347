-- Published tables: written only by a bill run, inside one transaction, never updated.
-- Every row carries the bill_run_id that published it. Amounts are DECIMAL(18,4): rounded to
-- the currency's minor unit (0-4 digits) by sql/reconcile/charge_values.sql.
CREATE SCHEMA IF NOT EXISTS published;

CREATE TABLE IF NOT EXISTS published.bill_runs (
    bill_run_id VARCHAR NOT NULL, as_of DATE NOT NULL, mode VARCHAR NOT NULL,
    started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP NOT NULL, status VARCHAR NOT NULL,
    load_id VARCHAR, invoices BIGINT NOT NULL, credit_notes BIGINT NOT NULL,
    invoice_lines BIGINT NOT NULL, credit_note_lines BIGINT NOT NULL,
    payment_requests BIGINT NOT NULL, unfunded_invoices BIGINT NOT NULL,
    action_rejections BIGINT NOT NULL, frozen_services BIGINT NOT NULL,
    quarantined_rows BIGINT NOT NULL, subscriptions_in_scope BIGINT NOT NULL,
    catalog_fingerprint UBIGINT NOT NULL, engine_version VARCHAR NOT NULL
);
-- Per subscription: the fingerprint of its inputs when a run last computed it and the date it
-- next needs a run (sql/publish/subscription_checkpoints.sql). The one published table whose
-- rows are replaced: a run's publish deletes and re-inserts the rows of the subscriptions it
-- computed, in the same transaction as its documents. Bookkeeping, not billing output.
CREATE TABLE IF NOT EXISTS published.subscription_checkpoints (
    subscription_id VARCHAR NOT NULL, fingerprint UBIGINT NOT NULL, wake_on DATE,
    as_of DATE NOT NULL, bill_run_id VARCHAR NOT NULL, state_wake_on DATE, account_id VARCHAR
);
-- Per run and upstream table: rows read / loaded / quarantined by the load the run used.
CREATE TABLE IF NOT EXISTS published.bill_run_inputs (
    bill_run_id VARCHAR NOT NULL, table_name VARCHAR NOT NULL, rows_read BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL, rows_quarantined BIGINT NOT NULL
);
-- Per run and currency: documents and their totals (credit notes as positive amounts).
CREATE TABLE IF NOT EXISTS published.bill_run_totals (
    bill_run_id VARCHAR NOT NULL, currency VARCHAR NOT NULL, document_type VARCHAR NOT NULL,
    documents BIGINT NOT NULL, lines BIGINT NOT NULL, subtotal DECIMAL(18, 4) NOT NULL,
    tax DECIMAL(18, 4) NOT NULL, total DECIMAL(18, 4) NOT NULL
);
-- Per run and reason a subscription was in its scope (full, changed, due, quarantined).
CREATE TABLE IF NOT EXISTS published.bill_run_scope (
    bill_run_id VARCHAR NOT NULL, reason VARCHAR NOT NULL, subscriptions BIGINT NOT NULL
);
-- Services the run froze (no charges, no credits) with the reason.
CREATE TABLE IF NOT EXISTS published.bill_run_frozen_services (
    bill_run_id VARCHAR NOT NULL, service_id VARCHAR NOT NULL, reason VARCHAR NOT NULL
);
-- What the run loaded but does not apply yet (deferred features) and business-rule keys set
-- but not applied: kind in ('action', 'product_kind', 'business_rule'), name, rows.
CREATE TABLE IF NOT EXISTS published.bill_run_deferred (
    bill_run_id VARCHAR NOT NULL, kind VARCHAR NOT NULL, name VARCHAR NOT NULL,
    rows_count BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS published.invoices (
    invoice_id VARCHAR NOT NULL, invoice_number BIGINT NOT NULL, series VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL, subscription_id VARCHAR NOT NULL, currency VARCHAR NOT NULL,
    issue_date DATE NOT NULL, due_date DATE NOT NULL, subtotal DECIMAL(18, 4) NOT NULL,
    tax DECIMAL(18, 4) NOT NULL, total DECIMAL(18, 4) NOT NULL, bill_run_id VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS published.invoice_status (
    invoice_id VARCHAR NOT NULL, status VARCHAR NOT NULL, since DATE NOT NULL,
    bill_run_id VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS published.invoice_lines (
    invoice_id VARCHAR NOT NULL, line_no INTEGER NOT NULL, service_id VARCHAR NOT NULL,
    product_id VARCHAR NOT NULL, price_term_id VARCHAR NOT NULL, price_valid_from DATE NOT NULL,
    kind VARCHAR NOT NULL, cycle_start DATE NOT NULL, cycle_end DATE NOT NULL,
    period_start DATE NOT NULL, period_end DATE NOT NULL, quantity INTEGER NOT NULL,
    unit_amount DECIMAL(18, 6) NOT NULL, days INTEGER NOT NULL, period_days INTEGER NOT NULL,
    amount DECIMAL(18, 4) NOT NULL, tax_rate DECIMAL(9, 6) NOT NULL,
    tax_amount DECIMAL(18, 4) NOT NULL, bill_run_id VARCHAR NOT NULL,
    charge VARCHAR NOT NULL DEFAULT 'period'
);
CREATE TABLE IF NOT EXISTS published.credit_notes (
    credit_note_id VARCHAR NOT NULL, credit_note_number BIGINT NOT NULL, series VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL, subscription_id VARCHAR NOT NULL, currency VARCHAR NOT NULL,
    issue_date DATE NOT NULL, due_date DATE, subtotal DECIMAL(18, 4) NOT NULL,
    tax DECIMAL(18, 4) NOT NULL, total DECIMAL(18, 4) NOT NULL, bill_run_id VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS published.credit_note_lines (
    credit_note_id VARCHAR NOT NULL, line_no INTEGER NOT NULL, service_id VARCHAR NOT NULL,
    product_id VARCHAR NOT NULL, price_term_id VARCHAR NOT NULL, price_valid_from DATE NOT NULL,
    kind VARCHAR NOT NULL, cycle_start DATE NOT NULL, cycle_end DATE NOT NULL,
    period_start DATE NOT NULL, period_end DATE NOT NULL, quantity INTEGER NOT NULL,
    unit_amount DECIMAL(18, 6) NOT NULL, days INTEGER NOT NULL, period_days INTEGER NOT NULL,
    amount DECIMAL(18, 4) NOT NULL, tax_rate DECIMAL(9, 6) NOT NULL,
    tax_amount DECIMAL(18, 4) NOT NULL, credited_invoice_id VARCHAR NOT NULL,
    credited_line_no INTEGER NOT NULL, bill_run_id VARCHAR NOT NULL,
    charge VARCHAR NOT NULL DEFAULT 'period'
);
CREATE TABLE IF NOT EXISTS published.payment_requests (
    payment_request_id VARCHAR NOT NULL, account_id VARCHAR NOT NULL, invoice_id VARCHAR NOT NULL,
    payment_method_id VARCHAR NOT NULL, amount DECIMAL(18, 4) NOT NULL, currency VARCHAR NOT NULL,
    requested_on DATE NOT NULL, attempt INTEGER NOT NULL, bill_run_id VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS published.action_rejections (
    action_id VARCHAR NOT NULL, service_id VARCHAR NOT NULL, reason VARCHAR NOT NULL,
    bill_run_id VARCHAR NOT NULL
);
-- One row per change of a service's state: the state as of the run and since when.
CREATE TABLE IF NOT EXISTS published.service_states (
    service_id VARCHAR NOT NULL, subscription_id VARCHAR NOT NULL, account_id VARCHAR NOT NULL,
    state VARCHAR NOT NULL, since DATE, as_of DATE NOT NULL, bill_run_id VARCHAR NOT NULL
);
-- One row per grace period that took effect: the span in which its service is not deactivated.
CREATE TABLE IF NOT EXISTS published.grace_periods (
    service_id VARCHAR NOT NULL, subscription_id VARCHAR NOT NULL, account_id VARCHAR NOT NULL,
    action_id VARCHAR NOT NULL, grace_from DATE NOT NULL, grace_to DATE NOT NULL,
    bill_run_id VARCHAR NOT NULL
);
-- One row per change of a subscription's state (active / inactive / churned) or its since-date.
CREATE TABLE IF NOT EXISTS published.subscription_states (
    subscription_id VARCHAR NOT NULL, account_id VARCHAR NOT NULL, state VARCHAR NOT NULL,
    since DATE, as_of DATE NOT NULL, bill_run_id VARCHAR NOT NULL
);
-- One row per change of a subscriber's (account's) state or its since-date.
CREATE TABLE IF NOT EXISTS published.subscriber_states (
    account_id VARCHAR NOT NULL, state VARCHAR NOT NULL, since DATE, as_of DATE NOT NULL,
    bill_run_id VARCHAR NOT NULL
);
-- One row per failed check of a load's bad rows, published by the first run of the load;
-- source_row (1-based position in the file) tells apart two bad rows with the same key.
CREATE TABLE IF NOT EXISTS published.quarantine (
    load_id VARCHAR NOT NULL, table_name VARCHAR NOT NULL, row_key VARCHAR,
    column_name VARCHAR, check_name VARCHAR NOT NULL, message VARCHAR NOT NULL,
    bill_run_id VARCHAR NOT NULL, source_row BIGINT
);
-- Warehouses published before source_row was added get it (null for their rows).
ALTER TABLE published.quarantine ADD COLUMN IF NOT EXISTS source_row BIGINT;
-- The charge a line belongs to, the fifth part of its charge key (`period`: the service's
-- days in a billing period; `cancellation_fee`); warehouses published before it get `period`.
ALTER TABLE published.invoice_lines ADD COLUMN IF NOT EXISTS charge VARCHAR DEFAULT 'period';
ALTER TABLE published.credit_note_lines ADD COLUMN IF NOT EXISTS charge VARCHAR DEFAULT 'period';
-- The date a subscription's service state next changes; checkpoints written before it get
-- null, and the engine upgrade that brings it recomputes (and rewrites) every checkpoint.
ALTER TABLE published.subscription_checkpoints ADD COLUMN IF NOT EXISTS state_wake_on DATE;
-- The account a subscription belonged to when it was computed, so that the run after a load
-- that moves it also computes the account it left; null in checkpoints written before it,
-- which the engine upgrade that brings it rewrites.
ALTER TABLE published.subscription_checkpoints ADD COLUMN IF NOT EXISTS account_id VARCHAR;
