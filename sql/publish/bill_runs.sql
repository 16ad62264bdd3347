-- One row: the run itself, as published with its documents: its date, mode and times, the
-- load it billed, what it issued and found, the size of its scope, the fingerprint of the
-- inputs all subscriptions share and the engine version (run_scope compares both with the next
-- run's). finished_at is when the draft was complete, before the checks and the publish.
--
-- layer: publish
-- grain: bill_run_id
-- published: append
SELECT
    CAST(:bill_run_id AS VARCHAR) AS bill_run_id,
    :as_of AS as_of,
    CAST(:mode AS VARCHAR) AS mode,
    :started_at AS started_at,
    :finished_at AS finished_at,
    'published' AS status,
    (SELECT load_id FROM work.src_load) AS load_id,
    (SELECT COUNT(*) FROM work.invoices) AS invoices,
    (SELECT COUNT(*) FROM work.credit_notes) AS credit_notes,
    (SELECT COUNT(*) FROM work.invoice_lines) AS invoice_lines,
    (SELECT COUNT(*) FROM work.credit_note_lines) AS credit_note_lines,
    (SELECT COUNT(*) FROM work.payment_requests) AS payment_requests,
    (
        SELECT COUNT(*) FROM work.invoice_funding
        WHERE needs_request AND payment_method_id IS NULL
    ) AS unfunded_invoices,
    (SELECT COUNT(*) FROM work.action_rejections) AS action_rejections,
    (SELECT COUNT(*) FROM work.bill_run_frozen_services) AS frozen_services,
    (SELECT COALESCE(SUM(rows_quarantined), 0) FROM work.src_load_stats) AS quarantined_rows,
    (SELECT COUNT(*) FROM work.run_scope) AS subscriptions_in_scope,
    (SELECT fingerprint FROM work.src_catalog_fingerprint) AS catalog_fingerprint,
    CAST(:engine_version AS VARCHAR) AS engine_version
