#!/usr/bin/env python3
"""Seeds old history for bench/retention.sh, set-based, in one transaction.

Usage: retention_seed.py seed <database> <project_id> <app_id> <integration_id> <count>
       retention_seed.py counts <database> <app_id> <integration_id>
<database> is a SQLite file or a postgresql:// URL (run through psql).

seed: moves the app's events received so far 200 days into the past (their purchases, chart facts and outgoing events
are real, made by webhooks), then inserts <count> processed Stripe events received 100 to ~450 days ago, each with a
payload of about 5,100 bytes in a Stripe subscription event's shape, one outgoing event, one succeeded delivery to
the integration and its one attempt, all as old as the event. On PostgreSQL it analyzes those tables and checkpoints before the
commit; on SQLite it checkpoints the WAL after it, so the server's first commit does not copy gigabytes. Prints the
seconds taken, then the counts below as they were at the commit.

counts: prints one line of "name=value" counts of what belongs to the app: what retention keeps (events' rows,
purchases, transactions, spans, outgoing events, deliveries) and what it prunes (payloads it may still empty, and the
integration's delivery attempts).
"""
import json
import sqlite3
import subprocess
import sys
import time

DAY_MS = 86_400_000


def payload_parts():
    """A customer.subscription.updated event as Stripe sends it (2025 API), split where the per-row ids go."""
    price = {"id": "price_seed_monthly", "object": "price", "active": True, "billing_scheme": "per_unit",
             "created": 1700000000, "currency": "usd", "custom_unit_amount": None, "livemode": True,
             "lookup_key": None, "metadata": {}, "nickname": "Monthly", "product": "prod_seed",
             "recurring": {"aggregate_usage": None, "interval": "month", "interval_count": 1, "meter": None,
                           "trial_period_days": None, "usage_type": "licensed"},
             "tax_behavior": "exclusive", "tiers_mode": None, "transform_quantity": None, "type": "recurring",
             "unit_amount": 999, "unit_amount_decimal": "999"}
    plan = {"id": "price_seed_monthly", "object": "plan", "active": True, "aggregate_usage": None, "amount": 999,
            "amount_decimal": "999", "billing_scheme": "per_unit", "created": 1700000000, "currency": "usd",
            "interval": "month", "interval_count": 1, "livemode": True, "metadata": {}, "meter": None,
            "nickname": "Monthly", "product": "prod_seed", "tiers_mode": None, "transform_usage": None,
            "trial_period_days": None, "usage_type": "licensed"}
    item = {"id": "si_@", "object": "subscription_item", "billing_thresholds": None, "created": 1700000000,
            "current_period_end": 1702592000, "current_period_start": 1700000000, "discounts": [], "metadata": {},
            "plan": plan, "price": price, "quantity": 1, "subscription": "sub_seed_@", "tax_rates": []}
    subscription = {
        "id": "sub_seed_@", "object": "subscription", "application": None, "application_fee_percent": None,
        "automatic_tax": {"disabled_reason": None, "enabled": True, "liability": {"type": "self"}},
        "billing_cycle_anchor": 1700000000, "billing_cycle_anchor_config": None, "billing_thresholds": None,
        "cancel_at": None, "cancel_at_period_end": False, "canceled_at": None,
        "cancellation_details": {"comment": None, "feedback": None, "reason": None},
        "collection_method": "charge_automatically", "created": 1700000000, "currency": "usd",
        "customer": "cus_@", "days_until_due": None, "default_payment_method": "pm_@", "default_source": None,
        "default_tax_rates": [], "description": None, "discounts": [], "ended_at": None,
        "invoice_settings": {"account_tax_ids": None, "issuer": {"type": "self"}},
        "items": {"object": "list", "data": [item], "has_more": False, "total_count": 1,
                  "url": "/v1/subscription_items?subscription=sub_seed_@"},
        "latest_invoice": "in_@", "livemode": True, "metadata": {"app_user_id": "user_@"},
        "next_pending_invoice_item_invoice": None, "on_behalf_of": None, "pause_collection": None,
        "payment_settings": {"payment_method_options": {"acss_debit": None, "bancontact": None,
                                                        "card": {"network": None, "request_three_d_secure": "automatic"},
                                                        "customer_balance": None, "konbini": None,
                                                        "sepa_debit": None, "us_bank_account": None},
                             "payment_method_types": None, "save_default_payment_method": "on_subscription"},
        "pending_invoice_item_interval": None, "pending_setup_intent": None, "pending_update": None,
        "plan": plan, "quantity": 1, "schedule": None, "start_date": 1700000000, "status": "active",
        "test_clock": None, "transfer_data": None, "trial_end": None,
        "trial_settings": {"end_behavior": {"missing_payment_method": "create_invoice"}}, "trial_start": None}
    event = {"id": "evt_seed_@", "object": "event", "api_version": "2025-03-31.basil", "created": 1700000000,
             "data": {"object": subscription, "previous_attributes": {
                 "items": {"data": [item]}, "latest_invoice": "in_0@", "plan": plan}},
             "livemode": True, "pending_webhooks": 1,
             "request": {"id": "req_@", "idempotency_key": "00000000-0000-4000-8000-@"},
             "type": "customer.subscription.updated"}
    return json.dumps(event, separators=(",", ":")).split("@")


def sql_concat(parts, number):
    """SQL text building the payload from its parts with the row number between them."""
    quoted = ["'" + p.replace("'", "''") + "'" for p in parts]
    out = quoted[0]
    for q in quoted[1:]:
        out += " || " + number + " || " + q
    return out


def statements(postgres, project, app, integration, count, now_ms):
    n = "n.i" if not postgres else "n.i::text"
    rows = ("(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) SELECT i FROM n) AS n"
            % count) if not postgres else "generate_series(1, %d) AS n(i)" % count
    # Oldest first by row number, 100 days old for the newest: a year of history, ~30 s apart.
    # BIGINT before multiplying: PostgreSQL's generate_series counts in INTEGER, and 30,000 ms x 1,000,000 overflows it.
    at = "(%d - %d * CAST(n.i AS BIGINT))" % (now_ms - 100 * DAY_MS, 30_000)
    true = "TRUE" if postgres else "1"
    payload = sql_concat(payload_parts(), n)
    excerpt = "'{\"received\":true}'"
    outgoing = ("'{\"event\":{\"id\":\"oe_seed_' || %s || '\",\"type\":\"RENEWAL\",\"app_id\":\"%s\","
                "\"app_user_id\":\"user_' || %s || '\",\"product_id\":\"prod_seed\",\"entitlement_ids\":[\"pro\"],"
                "\"period_type\":\"NORMAL\",\"price\":9.99,\"currency\":\"USD\",\"store\":\"STRIPE\","
                "\"environment\":\"PRODUCTION\"},\"api_version\":\"1.0\"}'") % (n, app, n)
    return [
        "UPDATE stripe_events SET received_at = received_at - %d WHERE app_id = '%s'" % (200 * DAY_MS, app),
        "INSERT INTO stripe_events (app_id, event_id, type, created, livemode, api_version, received_at, "
        "processed_at, status, purchase_token, payload) SELECT '%s', 'evt_seed_' || %s, "
        "'customer.subscription.updated', %s / 1000, %s, '2025-03-31.basil', %s, %s, 'processed', "
        "'sub_seed_' || %s, %s FROM %s" % (app, n, at, true, at, at, n, payload, rows),
        "INSERT INTO outgoing_events (id, project_id, app_id, customer_id, purchase_id, type, environment, sequence, "
        "source_event_id, payload, created_at) SELECT 'oe_seed_' || %s, '%s', '%s', NULL, NULL, 'RENEWAL', "
        "'PRODUCTION', n.i, 'evt_seed_' || %s, %s, %s FROM %s" % (n, project, app, n, outgoing, at, rows),
        "INSERT INTO deliveries (id, outgoing_event_id, integration_id, status, attempt_count, created_at, "
        "updated_at) SELECT 'dl_seed_' || %s, 'oe_seed_' || %s, '%s', 'succeeded', 1, %s, %s FROM %s"
        % (n, n, integration, at, at, rows),
        "INSERT INTO delivery_attempts (delivery_id, attempted_at, status_code, latency_ms, response_excerpt) "
        "SELECT 'dl_seed_' || %s, %s, 200, 40, %s FROM %s ORDER BY n.i DESC" % (n, at, excerpt, rows),
    ]


def kept_queries(app, integration):
    """What retention keeps of the app, counted: these stay the same however much is pruned."""
    return [
        ("stripe_events", "SELECT count(*) FROM stripe_events WHERE app_id = '%s'" % app),
        ("purchases", "SELECT count(*) FROM purchases WHERE app_id = '%s'" % app),
        ("transactions", "SELECT count(*) FROM purchase_transactions t JOIN purchases p ON p.id = t.purchase_id "
                         "WHERE p.app_id = '%s'" % app),
        ("spans", "SELECT count(*) FROM subscription_spans s JOIN purchases p ON p.id = s.purchase_id "
                  "WHERE p.app_id = '%s'" % app),
        ("outgoing_events", "SELECT count(*) FROM outgoing_events WHERE app_id = '%s'" % app),
        ("deliveries", "SELECT count(*) FROM deliveries WHERE integration_id = '%s'" % integration),
    ]


def pruned_queries(app, integration):
    """What retention prunes of the app, counted: payloads it may empty (the real events, moved 200 days back, and the
    seeded ones: none newer than 90 days), and the integration's attempts (all seeded, all old)."""
    return [
        ("prunable_payloads", "SELECT count(*) FROM stripe_events WHERE app_id = '%s' "
                              "AND status NOT IN ('parked', 'failed') AND payload <> ''" % app),
        ("attempts", "SELECT count(*) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id "
                     "WHERE d.integration_id = '%s'" % integration),
    ]


def psql(url, sql):
    result = subprocess.run(["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", url], input=sql, text=True,
                            capture_output=True)
    if result.returncode != 0:
        sys.exit("psql failed: " + result.stderr)
    return result.stdout


def main():
    command, database = sys.argv[1], sys.argv[2]
    postgres = database.startswith("postgresql://")
    if command == "seed":
        project, app, integration, count = sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])
        started = time.time()
        sql = statements(postgres, project, app, integration, count, int(started * 1000))
        # Counted inside the seeding transaction, before the retention job can see a row of it. The payloads to prune
        # are the real events' (counted before the seeded ones exist: cheap) and the seeded ones.
        real_payloads = pruned_queries(app, integration)[0]
        queries = kept_queries(app, integration)
        if postgres:
            # Statistics and a checkpoint before the commit, so neither works beside the pruning that follows.
            values = psql(database, "BEGIN;\n" + real_payloads[1] + ";\n" + ";\n".join(sql) + ";\n"
                          + "ANALYZE stripe_events, outgoing_events, deliveries, delivery_attempts;\n"
                          + ";\n".join(q for _, q in queries) + ";\nCHECKPOINT;\nCOMMIT;\n").split()
        else:
            db = sqlite3.connect(database, timeout=60, isolation_level=None)
            db.execute("BEGIN IMMEDIATE")
            values = [str(db.execute(real_payloads[1]).fetchone()[0])]
            for statement in sql:
                db.execute(statement)
            values += [str(db.execute(q).fetchone()[0]) for _, q in queries]
            db.execute("COMMIT")
            # The seed's gigabytes of WAL copied now, holding writers off, not by the server's next commit.
            busy, _, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy:
                print("WARNING: the WAL checkpoint after seeding was blocked by a reader", file=sys.stderr)
            db.close()
        counts = ["%s=%s" % (name, value) for (name, _), value in zip(queries, values[1:])]
        counts += ["prunable_payloads=%d" % (int(values[0]) + count), "attempts=%d" % count]
        print("%.1f %s" % (time.time() - started, " ".join(counts)))
    elif command == "counts":
        app, integration = sys.argv[3], sys.argv[4]
        queries = kept_queries(app, integration) + pruned_queries(app, integration)
        if postgres:
            values = psql(database, ";\n".join(q for _, q in queries) + ";\n").split()
        else:
            db = sqlite3.connect(database, timeout=60)
            values = [str(db.execute(q).fetchone()[0]) for _, q in queries]
            db.close()
        print(" ".join("%s=%s" % (name, value) for (name, _), value in zip(queries, values)))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
