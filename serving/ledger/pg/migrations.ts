import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';

/**
 * The PostgreSQL ledger's schema, one entry per version, applied in order and recorded in
 * `lutflow_schema_migrations`. A released entry never changes; a change is a new entry.
 */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'budgets, spend by the hour, charged event ids, reservations',
    sql: `
CREATE TABLE lutflow_budgets (
  tenant_id text PRIMARY KEY,
  limit_micros bigint NOT NULL CHECK (limit_micros >= 0),
  budget_window text NOT NULL CHECK (budget_window IN ('total', 'daily', 'monthly')),
  reset_hour_utc int NOT NULL CHECK (reset_hour_utc BETWEEN 0 AND 23),
  reset_day int NOT NULL CHECK (reset_day BETWEEN 1 AND 28),
  alert_threshold double precision NOT NULL,
  price_overrides jsonb,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

-- Every charge lands in the hour it was charged at: every budget window starts on a whole hour, so any
-- window under any rule is a sum of whole hours, and a changed window re-buckets instead of dropping.
CREATE TABLE lutflow_spend_hours (
  tenant_id text NOT NULL,
  hour timestamptz NOT NULL,
  micros bigint NOT NULL,
  PRIMARY KEY (tenant_id, hour)
);

-- An event id is charged once per tenant while it is remembered (until keep_until); the primary key is
-- what makes a concurrent retry on another replica a duplicate.
CREATE TABLE lutflow_charged_events (
  tenant_id text NOT NULL,
  event_id text NOT NULL,
  keep_until timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, event_id)
);

CREATE TABLE lutflow_reservations (
  id text PRIMARY KEY,
  tenant_id text NOT NULL,
  amount_micros bigint NOT NULL CHECK (amount_micros >= 0),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  run_id text,
  state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'released', 'settled')),
  closed_at timestamptz
);
CREATE INDEX lutflow_reservations_open ON lutflow_reservations (tenant_id, expires_at) WHERE state = 'open';

-- The budget window containing \`at\`, as serving/ledger/windows.ts computes it (tested to agree).
CREATE FUNCTION lutflow_window(w text, reset_hour int, reset_day int, at timestamptz, OUT wstart timestamptz, OUT wend timestamptz)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  u timestamp := at AT TIME ZONE 'UTC';
  s timestamp;
  reset interval := make_interval(days => reset_day - 1, hours => reset_hour);
BEGIN
  IF w = 'total' THEN
    wstart := '-infinity';
    wend := 'infinity';
  ELSIF w = 'daily' THEN
    s := date_trunc('day', u) + make_interval(hours => reset_hour);
    IF s > u THEN s := s - interval '1 day'; END IF;
    wstart := s AT TIME ZONE 'UTC';
    wend := (s + interval '1 day') AT TIME ZONE 'UTC';
  ELSE
    s := date_trunc('month', u) + reset;
    IF s > u THEN s := date_trunc('month', u) - interval '1 month' + reset; END IF;
    wstart := s AT TIME ZONE 'UTC';
    wend := (date_trunc('month', s) + interval '1 month' + reset) AT TIME ZONE 'UTC';
  END IF;
END $$;

CREATE FUNCTION lutflow_spent(p_tenant text, p_from timestamptz, p_to timestamptz) RETURNS bigint
LANGUAGE sql STABLE AS $$
  SELECT coalesce(sum(micros), 0)::bigint FROM lutflow_spend_hours WHERE tenant_id = p_tenant AND hour >= p_from AND hour < p_to
$$;

CREATE FUNCTION lutflow_add_spend(p_tenant text, p_at timestamptz, p_micros bigint) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO lutflow_spend_hours (tenant_id, hour, micros) VALUES (p_tenant, date_trunc('hour', p_at), p_micros)
  ON CONFLICT (tenant_id, hour) DO UPDATE SET micros = lutflow_spend_hours.micros + excluded.micros
$$;

-- Grants a reservation only if it fits what remains, in one call: the budget row is locked first, and each
-- statement after the lock sees every reservation committed before it (READ COMMITTED, a new snapshot per
-- statement), so concurrent callers on any number of replicas can never both take the last of a budget.
CREATE FUNCTION lutflow_reserve(p_id text, p_tenant text, p_amount bigint, p_now timestamptz, p_expires timestamptz, p_run_id text)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  b lutflow_budgets;
  w record;
  reserved bigint;
BEGIN
  SELECT * INTO b FROM lutflow_budgets WHERE tenant_id = p_tenant FOR UPDATE;
  IF NOT FOUND THEN RETURN 'BUDGET_NOT_FOUND'; END IF;
  w := lutflow_window(b.budget_window, b.reset_hour_utc, b.reset_day, p_now);
  SELECT coalesce(sum(amount_micros), 0) INTO reserved FROM lutflow_reservations
    WHERE tenant_id = p_tenant AND state = 'open' AND expires_at > p_now;
  IF p_amount > b.limit_micros - lutflow_spent(p_tenant, w.wstart, w.wend) - reserved THEN RETURN 'DENIED'; END IF;
  INSERT INTO lutflow_reservations (id, tenant_id, amount_micros, created_at, expires_at, run_id)
    VALUES (p_id, p_tenant, p_amount, p_now, p_expires, p_run_id);
  RETURN 'OK';
END $$;

-- Settles or releases a reservation; answers OK, NOOP (a release of one no longer holding budget),
-- BUDGET_NOT_FOUND, RESERVATION_NOT_FOUND (never made, or forgotten after the grace period) or RESERVATION_SETTLED.
CREATE FUNCTION lutflow_close(p_tenant text, p_id text, p_settle boolean, p_micros bigint, p_now timestamptz, p_grace interval)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  r lutflow_reservations;
BEGIN
  PERFORM 1 FROM lutflow_budgets WHERE tenant_id = p_tenant;
  IF NOT FOUND THEN RETURN 'BUDGET_NOT_FOUND'; END IF;
  SELECT * INTO r FROM lutflow_reservations WHERE id = p_id AND tenant_id = p_tenant FOR UPDATE;
  IF NOT FOUND OR p_now >= greatest(r.expires_at, coalesce(r.closed_at, r.expires_at)) + p_grace THEN
    RETURN 'RESERVATION_NOT_FOUND';
  END IF;
  IF r.state = 'settled' THEN RETURN 'RESERVATION_SETTLED'; END IF;
  IF NOT p_settle AND (r.state <> 'open' OR r.expires_at <= p_now) THEN RETURN 'NOOP'; END IF;
  UPDATE lutflow_reservations SET state = CASE WHEN p_settle THEN 'settled' ELSE 'released' END, closed_at = p_now WHERE id = p_id;
  IF p_settle THEN PERFORM lutflow_add_spend(p_tenant, p_now, p_micros); END IF;
  RETURN 'OK';
END $$;

-- Charges metered costs once per (tenant, event id), under the event-time policy: at its event time while
-- that is inside the current window, else when it arrives (late). An id past keep_until is forgotten and
-- charges again. Answers charged, late and duplicate counts, or NULL when the tenant has no budget.
CREATE FUNCTION lutflow_charge(p_tenant text, p_ids text[], p_micros bigint[], p_at timestamptz[], p_now timestamptz, p_horizon interval,
  OUT charged int, OUT late int, OUT duplicates int)
LANGUAGE plpgsql AS $$
DECLARE
  b lutflow_budgets;
  w record;
BEGIN
  SELECT * INTO b FROM lutflow_budgets WHERE tenant_id = p_tenant;
  IF NOT FOUND THEN RETURN; END IF;
  w := lutflow_window(b.budget_window, b.reset_hour_utc, b.reset_day, p_now);
  WITH input AS (
    SELECT DISTINCT ON (id) id, micros, at, ord FROM unnest(p_ids, p_micros, p_at) WITH ORDINALITY AS t(id, micros, at, ord)
    ORDER BY id, ord
  ), fresh AS (
    INSERT INTO lutflow_charged_events (tenant_id, event_id, keep_until)
    SELECT p_tenant, id, at + p_horizon FROM input
    ON CONFLICT (tenant_id, event_id) DO UPDATE SET keep_until = excluded.keep_until
      WHERE lutflow_charged_events.keep_until <= p_now
    RETURNING event_id
  ), priced AS (
    SELECT i.micros, least(i.at, p_now) < w.wstart AS is_late,
      CASE WHEN least(i.at, p_now) < w.wstart THEN p_now ELSE least(i.at, p_now) END AS charge_at
    FROM input i JOIN fresh f ON f.event_id = i.id
  ), spent AS (
    INSERT INTO lutflow_spend_hours (tenant_id, hour, micros)
    SELECT p_tenant, date_trunc('hour', charge_at), sum(micros) FROM priced GROUP BY 2
    ON CONFLICT (tenant_id, hour) DO UPDATE SET micros = lutflow_spend_hours.micros + excluded.micros
  )
  SELECT count(*) FILTER (WHERE NOT is_late), count(*) FILTER (WHERE is_late) INTO charged, late FROM priced;
  duplicates := cardinality(p_ids) - charged - late;
END $$;
`,
  },
  {
    version: 2,
    name: 'leases: charges drawn from an open reservation, partial grants, renewals',
    sql: `
ALTER TABLE lutflow_reservations ADD COLUMN drawn_micros bigint NOT NULL DEFAULT 0;

-- What an open reservation still holds: its amount less what was charged under it, never below 0.
CREATE FUNCTION lutflow_held(r lutflow_reservations) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
  SELECT greatest(0, r.amount_micros - r.drawn_micros)
$$;

DROP FUNCTION lutflow_reserve(text, text, bigint, timestamptz, timestamptz, text);
-- As before, and with p_partial (a lease) grants what remains when that is less than asked, if anything does.
CREATE FUNCTION lutflow_reserve(p_id text, p_tenant text, p_amount bigint, p_now timestamptz, p_expires timestamptz, p_run_id text,
  p_partial boolean, OUT code text, OUT granted bigint)
LANGUAGE plpgsql AS $$
DECLARE
  b lutflow_budgets;
  w record;
  remaining bigint;
BEGIN
  SELECT * INTO b FROM lutflow_budgets WHERE tenant_id = p_tenant FOR UPDATE;
  IF NOT FOUND THEN code := 'BUDGET_NOT_FOUND'; RETURN; END IF;
  w := lutflow_window(b.budget_window, b.reset_hour_utc, b.reset_day, p_now);
  SELECT b.limit_micros - lutflow_spent(p_tenant, w.wstart, w.wend) - coalesce(sum(lutflow_held(r)), 0) INTO remaining
    FROM lutflow_reservations r WHERE r.tenant_id = p_tenant AND r.state = 'open' AND r.expires_at > p_now;
  granted := CASE WHEN p_amount <= remaining THEN p_amount WHEN p_partial AND remaining > 0 THEN remaining END;
  IF granted IS NULL THEN code := 'DENIED'; RETURN; END IF;
  INSERT INTO lutflow_reservations (id, tenant_id, amount_micros, created_at, expires_at, run_id)
    VALUES (p_id, p_tenant, granted, p_now, p_expires, p_run_id);
  code := 'OK';
END $$;

CREATE FUNCTION lutflow_extend(p_tenant text, p_id text, p_now timestamptz, p_expires timestamptz) RETURNS SETOF lutflow_reservations
LANGUAGE sql AS $$
  UPDATE lutflow_reservations SET expires_at = p_expires
  WHERE id = p_id AND tenant_id = p_tenant AND state = 'open' AND expires_at > p_now RETURNING *
$$;

-- A settle charges what charges under the reservation have not already: the cost less what was drawn.
CREATE OR REPLACE FUNCTION lutflow_close(p_tenant text, p_id text, p_settle boolean, p_micros bigint, p_now timestamptz, p_grace interval)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  r lutflow_reservations;
BEGIN
  PERFORM 1 FROM lutflow_budgets WHERE tenant_id = p_tenant;
  IF NOT FOUND THEN RETURN 'BUDGET_NOT_FOUND'; END IF;
  SELECT * INTO r FROM lutflow_reservations WHERE id = p_id AND tenant_id = p_tenant FOR UPDATE;
  IF NOT FOUND OR p_now >= greatest(r.expires_at, coalesce(r.closed_at, r.expires_at)) + p_grace THEN
    RETURN 'RESERVATION_NOT_FOUND';
  END IF;
  IF r.state = 'settled' THEN RETURN 'RESERVATION_SETTLED'; END IF;
  IF NOT p_settle AND (r.state <> 'open' OR r.expires_at <= p_now) THEN RETURN 'NOOP'; END IF;
  UPDATE lutflow_reservations SET state = CASE WHEN p_settle THEN 'settled' ELSE 'released' END, closed_at = p_now WHERE id = p_id;
  IF p_settle THEN PERFORM lutflow_add_spend(p_tenant, p_now, greatest(0, p_micros - r.drawn_micros)); END IF;
  RETURN 'OK';
END $$;

DROP FUNCTION lutflow_charge(text, text[], bigint[], timestamptz[], timestamptz, interval);
-- As before, and each cost may name the reservation it was spent under: while that is open the cost draws
-- it down; once it is settled its settle counted the cost (covered, recorded but not charged again).
CREATE FUNCTION lutflow_charge(p_tenant text, p_ids text[], p_micros bigint[], p_at timestamptz[], p_leases text[], p_now timestamptz,
  p_horizon interval, p_grace interval, OUT charged int, OUT late int, OUT duplicates int, OUT covered int)
LANGUAGE plpgsql AS $$
DECLARE
  b lutflow_budgets;
  w record;
BEGIN
  SELECT * INTO b FROM lutflow_budgets WHERE tenant_id = p_tenant;
  IF NOT FOUND THEN RETURN; END IF;
  w := lutflow_window(b.budget_window, b.reset_hour_utc, b.reset_day, p_now);
  -- Concurrent batches under the same leases draw them in turn; the statement below sees each other's draws.
  PERFORM 1 FROM lutflow_reservations WHERE tenant_id = p_tenant AND id = ANY(p_leases) ORDER BY id FOR UPDATE;
  WITH input AS (
    SELECT DISTINCT ON (id) id, micros, at, lease, ord FROM unnest(p_ids, p_micros, p_at, p_leases) WITH ORDINALITY AS t(id, micros, at, lease, ord)
    ORDER BY id, ord
  ), fresh AS (
    INSERT INTO lutflow_charged_events (tenant_id, event_id, keep_until)
    SELECT p_tenant, id, at + p_horizon FROM input
    ON CONFLICT (tenant_id, event_id) DO UPDATE SET keep_until = excluded.keep_until
      WHERE lutflow_charged_events.keep_until <= p_now
    RETURNING event_id
  ), priced AS (
    SELECT i.micros, i.lease,
      coalesce(r.state = 'settled' AND p_now < greatest(r.expires_at, coalesce(r.closed_at, r.expires_at)) + p_grace, false) AS is_covered,
      coalesce(r.state = 'open' AND r.expires_at > p_now, false) AS under_open,
      least(i.at, p_now) < w.wstart AS is_late,
      CASE WHEN least(i.at, p_now) < w.wstart THEN p_now ELSE least(i.at, p_now) END AS charge_at
    FROM input i JOIN fresh f ON f.event_id = i.id
      LEFT JOIN lutflow_reservations r ON r.id = i.lease AND r.tenant_id = p_tenant
  ), spent AS (
    INSERT INTO lutflow_spend_hours (tenant_id, hour, micros)
    SELECT p_tenant, date_trunc('hour', charge_at), sum(micros) FROM priced WHERE NOT is_covered GROUP BY 2
    ON CONFLICT (tenant_id, hour) DO UPDATE SET micros = lutflow_spend_hours.micros + excluded.micros
  ), drew AS (
    UPDATE lutflow_reservations r SET drawn_micros = r.drawn_micros + d.total
    FROM (SELECT lease, sum(micros) AS total FROM priced WHERE under_open AND NOT is_covered GROUP BY lease) d
    WHERE r.id = d.lease AND r.tenant_id = p_tenant
  )
  SELECT count(*) FILTER (WHERE NOT is_covered AND NOT is_late), count(*) FILTER (WHERE NOT is_covered AND is_late),
    count(*) FILTER (WHERE is_covered)
    INTO charged, late, covered FROM priced;
  duplicates := cardinality(p_ids) - charged - late - covered;
END $$;
`,
  },
  {
    version: 3,
    name: 'alerts: thresholds per budget, raised once per window, delivered through an outbox',
    sql: `
ALTER TABLE lutflow_budgets ADD COLUMN alert_thresholds double precision[] NOT NULL DEFAULT '{0.5,0.8,0.95,1}',
  ADD COLUMN alert_webhook jsonb;

-- The unique key is what makes a threshold fire once per window however many replicas charge at once.
CREATE TABLE lutflow_alerts (
  id text PRIMARY KEY,
  tenant_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('threshold', 'deny', 'kill')),
  subject text NOT NULL,
  window_start timestamptz NOT NULL,
  at timestamptz NOT NULL,
  spent_micros bigint NOT NULL,
  limit_micros bigint NOT NULL,
  message text NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed', 'unconfigured')),
  attempts int NOT NULL DEFAULT 0,
  next_at timestamptz NOT NULL,
  claimed_until timestamptz,
  last_error text,
  delivered_at timestamptz,
  UNIQUE (tenant_id, kind, subject, window_start)
);
CREATE INDEX lutflow_alerts_due ON lutflow_alerts (next_at) WHERE state = 'pending';
CREATE INDEX lutflow_alerts_recent ON lutflow_alerts (tenant_id, at DESC);

-- Raises every threshold the window's spend has reached and not raised yet (shares as text: '0.8').
CREATE FUNCTION lutflow_raise_thresholds(p_tenant text, p_now timestamptz) RETURNS SETOF lutflow_alerts
LANGUAGE plpgsql AS $$
DECLARE
  b lutflow_budgets;
  w record;
  spent bigint;
BEGIN
  SELECT * INTO b FROM lutflow_budgets WHERE tenant_id = p_tenant;
  IF NOT FOUND THEN RETURN; END IF;
  w := lutflow_window(b.budget_window, b.reset_hour_utc, b.reset_day, p_now);
  spent := lutflow_spent(p_tenant, w.wstart, w.wend);
  IF spent <= 0 THEN RETURN; END IF;
  RETURN QUERY
  INSERT INTO lutflow_alerts (id, tenant_id, kind, subject, window_start, at, spent_micros, limit_micros, message, next_at)
  SELECT 'alert_' || gen_random_uuid(), p_tenant, 'threshold', share::text, coalesce(w.wstart, '-infinity'), p_now, spent, b.limit_micros,
    format('tenant ''%s'' has spent $%s of its $%s budget: %s %% crossed', p_tenant, to_char(spent / 1e6, 'FM999999999990.00'),
      to_char(b.limit_micros / 1e6, 'FM999999999990.00'), round(share * 100)), p_now
  FROM unnest(b.alert_thresholds) AS share
  WHERE spent >= share * b.limit_micros
  ON CONFLICT (tenant_id, kind, subject, window_start) DO NOTHING
  RETURNING *;
END $$;
`,
  },
  {
    version: 4,
    name: 'scopes: a spend counts against its budget and every ancestor scope that has one',
    sql: `
-- The budgets a reservation holds against: its scope's and each ancestor's (own first), as decided when made.
ALTER TABLE lutflow_reservations ADD COLUMN chain text[];
UPDATE lutflow_reservations SET chain = ARRAY[tenant_id];
ALTER TABLE lutflow_reservations ALTER COLUMN chain SET NOT NULL;
CREATE INDEX lutflow_reservations_chain ON lutflow_reservations USING gin (chain) WHERE state = 'open';

-- The existing budgets among p_scopes (a scope and its ancestors, own first), in that order, locked: every change
-- to a chain takes its budgets' locks in one order (sorted by id), so overlapping chains never deadlock.
CREATE FUNCTION lutflow_lock_chain(p_scopes text[]) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
  levels text[];
BEGIN
  PERFORM 1 FROM lutflow_budgets WHERE tenant_id = ANY(p_scopes) ORDER BY tenant_id FOR UPDATE;
  SELECT coalesce(array_agg(s ORDER BY ord), '{}') INTO levels
    FROM unnest(p_scopes) WITH ORDINALITY AS t(s, ord) WHERE EXISTS (SELECT 1 FROM lutflow_budgets b WHERE b.tenant_id = t.s);
  RETURN levels;
END $$;

CREATE FUNCTION lutflow_held_by(p_level text, p_now timestamptz) RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT coalesce(sum(lutflow_held(r)), 0)::bigint FROM lutflow_reservations r
  WHERE r.chain @> ARRAY[p_level] AND r.state = 'open' AND r.expires_at > p_now
$$;

CREATE FUNCTION lutflow_remaining(p_level text, p_now timestamptz) RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT b.limit_micros - lutflow_spent(b.tenant_id, w.wstart, w.wend) - lutflow_held_by(b.tenant_id, p_now)
  FROM lutflow_budgets b, lutflow_window(b.budget_window, b.reset_hour_utc, b.reset_day, p_now) w WHERE b.tenant_id = p_level
$$;

DROP FUNCTION lutflow_reserve(text, text, bigint, timestamptz, timestamptz, text, boolean);
-- Grants a reservation only if it fits what remains of every budget in its chain, in one call.
CREATE FUNCTION lutflow_reserve(p_id text, p_tenant text, p_scopes text[], p_amount bigint, p_now timestamptz, p_expires timestamptz,
  p_run_id text, p_partial boolean, OUT code text, OUT granted bigint)
LANGUAGE plpgsql AS $$
DECLARE
  levels text[] := lutflow_lock_chain(p_scopes);
  remaining bigint;
BEGIN
  IF cardinality(levels) = 0 THEN code := 'BUDGET_NOT_FOUND'; RETURN; END IF;
  SELECT min(lutflow_remaining(l, p_now)) INTO remaining FROM unnest(levels) AS l;
  granted := CASE WHEN p_amount <= remaining THEN p_amount WHEN p_partial AND remaining > 0 THEN remaining END;
  IF granted IS NULL THEN code := 'DENIED'; RETURN; END IF;
  INSERT INTO lutflow_reservations (id, tenant_id, amount_micros, created_at, expires_at, run_id, chain)
    VALUES (p_id, p_tenant, granted, p_now, p_expires, p_run_id, levels);
  code := 'OK';
END $$;

DROP FUNCTION lutflow_extend(text, text, timestamptz, timestamptz);
CREATE FUNCTION lutflow_extend(p_scopes text[], p_id text, p_now timestamptz, p_expires timestamptz) RETURNS SETOF lutflow_reservations
LANGUAGE sql AS $$
  UPDATE lutflow_reservations SET expires_at = p_expires
  WHERE id = p_id AND chain && p_scopes AND state = 'open' AND expires_at > p_now RETURNING *
$$;

DROP FUNCTION lutflow_close(text, text, boolean, bigint, timestamptz, interval);
-- Settles or releases a reservation for every budget of the chain that holds it; answers the code and the
-- budget it reports (the scope's own, else the nearest ancestor that holds it).
CREATE FUNCTION lutflow_close(p_scopes text[], p_id text, p_settle boolean, p_micros bigint, p_now timestamptz, p_grace interval,
  OUT code text, OUT level text)
LANGUAGE plpgsql AS $$
DECLARE
  levels text[] := lutflow_lock_chain(p_scopes);
  r lutflow_reservations;
  holding text[];
BEGIN
  IF cardinality(levels) = 0 THEN code := 'BUDGET_NOT_FOUND'; RETURN; END IF;
  SELECT * INTO r FROM lutflow_reservations WHERE id = p_id AND chain && levels FOR UPDATE;
  IF NOT FOUND OR p_now >= greatest(r.expires_at, coalesce(r.closed_at, r.expires_at)) + p_grace THEN
    code := 'RESERVATION_NOT_FOUND';
    RETURN;
  END IF;
  SELECT array_agg(l ORDER BY ord) INTO holding FROM unnest(levels) WITH ORDINALITY AS t(l, ord) WHERE l = ANY(r.chain);
  level := holding[1];
  IF r.state = 'settled' THEN code := 'RESERVATION_SETTLED'; RETURN; END IF;
  IF NOT p_settle AND (r.state <> 'open' OR r.expires_at <= p_now) THEN code := 'NOOP'; RETURN; END IF;
  UPDATE lutflow_reservations SET state = CASE WHEN p_settle THEN 'settled' ELSE 'released' END, closed_at = p_now WHERE id = p_id;
  IF p_settle THEN
    PERFORM lutflow_add_spend(l, p_now, greatest(0, p_micros - r.drawn_micros)) FROM unnest(holding) AS l;
  END IF;
  code := 'OK';
END $$;

DROP FUNCTION lutflow_charge(text, text[], bigint[], timestamptz[], text[], timestamptz, interval, interval);
-- As before, for every budget of the chain: an id any of them remembers is a duplicate; the scope's own
-- window decides lateness. Answers NULL counts when no budget of the chain exists.
CREATE FUNCTION lutflow_charge(p_scopes text[], p_ids text[], p_micros bigint[], p_at timestamptz[], p_leases text[], p_now timestamptz,
  p_horizon interval, p_grace interval, OUT charged int, OUT late int, OUT duplicates int, OUT covered int)
LANGUAGE plpgsql AS $$
DECLARE
  levels text[] := lutflow_lock_chain(p_scopes);
  b lutflow_budgets;
  w record;
BEGIN
  IF cardinality(levels) = 0 THEN RETURN; END IF;
  SELECT * INTO b FROM lutflow_budgets WHERE tenant_id = levels[1];
  w := lutflow_window(b.budget_window, b.reset_hour_utc, b.reset_day, p_now);
  PERFORM 1 FROM lutflow_reservations WHERE chain && levels AND id = ANY(p_leases) ORDER BY id FOR UPDATE;
  WITH input AS (
    SELECT DISTINCT ON (id) id, micros, at, lease, ord FROM unnest(p_ids, p_micros, p_at, p_leases) WITH ORDINALITY AS t(id, micros, at, lease, ord)
    ORDER BY id, ord
  ), fresh AS (
    SELECT i.* FROM input i WHERE NOT EXISTS (
      SELECT 1 FROM lutflow_charged_events e WHERE e.tenant_id = ANY(levels) AND e.event_id = i.id AND e.keep_until > p_now)
  ), remembered AS (
    INSERT INTO lutflow_charged_events (tenant_id, event_id, keep_until)
    SELECT l, f.id, f.at + p_horizon FROM fresh f, unnest(levels) AS l
    ON CONFLICT (tenant_id, event_id) DO UPDATE SET keep_until = excluded.keep_until
  ), priced AS (
    SELECT f.micros, f.lease,
      coalesce(r.state = 'settled' AND p_now < greatest(r.expires_at, coalesce(r.closed_at, r.expires_at)) + p_grace, false) AS is_covered,
      coalesce(r.state = 'open' AND r.expires_at > p_now, false) AS under_open,
      least(f.at, p_now) < w.wstart AS is_late,
      CASE WHEN least(f.at, p_now) < w.wstart THEN p_now ELSE least(f.at, p_now) END AS charge_at
    FROM fresh f LEFT JOIN lutflow_reservations r ON r.id = f.lease AND r.chain && levels
  ), spent AS (
    INSERT INTO lutflow_spend_hours (tenant_id, hour, micros)
    SELECT l, date_trunc('hour', charge_at), sum(micros) FROM priced, unnest(levels) AS l WHERE NOT is_covered GROUP BY 1, 2
    ON CONFLICT (tenant_id, hour) DO UPDATE SET micros = lutflow_spend_hours.micros + excluded.micros
  ), drew AS (
    UPDATE lutflow_reservations r SET drawn_micros = r.drawn_micros + d.total
    FROM (SELECT lease, sum(micros) AS total FROM priced WHERE under_open AND NOT is_covered GROUP BY lease) d
    WHERE r.id = d.lease AND r.chain && levels
  )
  SELECT count(*) FILTER (WHERE NOT is_covered AND NOT is_late), count(*) FILTER (WHERE NOT is_covered AND is_late),
    count(*) FILTER (WHERE is_covered)
    INTO charged, late, covered FROM priced;
  duplicates := cardinality(p_ids) - charged - late - covered;
END $$;
`,
  },
  {
    version: 5,
    name: 'model policies per budget',
    sql: `ALTER TABLE lutflow_budgets ADD COLUMN model_policy jsonb;`,
  },
  {
    version: 6,
    name: 'what each budget holds kept as a running sum; reservations of one scope granted together',
    sql: `
-- A reservation holds against every budget of its chain while it is open and not swept; held_micros and
-- held_count are the running sums of that, kept by a trigger on every change to a reservation. One that
-- expired is swept (under its chain's lock, when that chain reserves again); until then readers take it off.
ALTER TABLE lutflow_reservations ADD COLUMN swept boolean NOT NULL DEFAULT false;
ALTER TABLE lutflow_budgets ADD COLUMN held_micros bigint NOT NULL DEFAULT 0, ADD COLUMN held_count int NOT NULL DEFAULT 0;
CREATE INDEX lutflow_reservations_expiring ON lutflow_reservations (expires_at) WHERE state = 'open' AND NOT swept;

CREATE FUNCTION lutflow_holds(r lutflow_reservations) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT r.state = 'open' AND NOT r.swept
$$;

UPDATE lutflow_budgets b SET held_micros = h.micros, held_count = h.n
  FROM (SELECT l, sum(lutflow_held(r))::bigint AS micros, count(*)::int AS n
        FROM lutflow_reservations r, unnest(r.chain) AS l WHERE lutflow_holds(r) GROUP BY l) h
  WHERE b.tenant_id = h.l;

CREATE FUNCTION lutflow_track_held() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  before_micros bigint := 0;
  before_n int := 0;
  after_micros bigint := 0;
  after_n int := 0;
BEGIN
  IF TG_OP = 'UPDATE' AND lutflow_holds(OLD) THEN before_micros := lutflow_held(OLD); before_n := 1; END IF;
  IF lutflow_holds(NEW) THEN after_micros := lutflow_held(NEW); after_n := 1; END IF;
  IF after_micros <> before_micros OR after_n <> before_n THEN
    UPDATE lutflow_budgets SET held_micros = held_micros + after_micros - before_micros, held_count = held_count + after_n - before_n
      WHERE tenant_id = ANY(NEW.chain);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER lutflow_reservations_held AFTER INSERT OR UPDATE ON lutflow_reservations
  FOR EACH ROW EXECUTE FUNCTION lutflow_track_held();

-- What the level's open reservations hold at p_now: the running sum less those expired and not yet swept.
CREATE OR REPLACE FUNCTION lutflow_held_by(p_level text, p_now timestamptz) RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT b.held_micros - coalesce((SELECT sum(lutflow_held(r)) FROM lutflow_reservations r
    WHERE r.state = 'open' AND NOT r.swept AND r.expires_at <= p_now AND r.chain @> ARRAY[p_level]), 0)::bigint
  FROM lutflow_budgets b WHERE b.tenant_id = p_level
$$;

CREATE FUNCTION lutflow_open_count(p_level text, p_now timestamptz) RETURNS int LANGUAGE sql STABLE AS $$
  SELECT b.held_count - (SELECT count(*) FROM lutflow_reservations r
    WHERE r.state = 'open' AND NOT r.swept AND r.expires_at <= p_now AND r.chain @> ARRAY[p_level])::int
  FROM lutflow_budgets b WHERE b.tenant_id = p_level
$$;

-- A swept reservation no longer holds; one swept by a replica whose clock runs ahead cannot be renewed.
CREATE OR REPLACE FUNCTION lutflow_extend(p_scopes text[], p_id text, p_now timestamptz, p_expires timestamptz) RETURNS SETOF lutflow_reservations
LANGUAGE sql AS $$
  UPDATE lutflow_reservations SET expires_at = p_expires
  WHERE id = p_id AND chain && p_scopes AND state = 'open' AND NOT swept AND expires_at > p_now RETURNING *
$$;

-- As lutflow_reserve for each request in order, under one lock of the chain: what the first is granted is not
-- there for the second, exactly as if they came one after another. Answers a code and a grant per request.
CREATE FUNCTION lutflow_reserve_many(p_ids text[], p_tenant text, p_scopes text[], p_amounts bigint[], p_now timestamptz,
  p_expires timestamptz[], p_run_ids text[], p_partial boolean[], OUT codes text[], OUT granted bigint[])
LANGUAGE plpgsql AS $$
DECLARE
  levels text[] := lutflow_lock_chain(p_scopes);
  remaining bigint;
  g bigint;
BEGIN
  codes := '{}';
  granted := '{}';
  IF cardinality(levels) = 0 THEN
    codes := array_fill('BUDGET_NOT_FOUND'::text, ARRAY[cardinality(p_ids)]);
    RETURN;
  END IF;
  UPDATE lutflow_reservations SET swept = true WHERE state = 'open' AND NOT swept AND expires_at <= p_now AND chain && levels;
  SELECT min(lutflow_remaining(l, p_now)) INTO remaining FROM unnest(levels) AS l;
  FOR i IN 1 .. cardinality(p_ids) LOOP
    g := CASE WHEN p_amounts[i] <= remaining THEN p_amounts[i] WHEN p_partial[i] AND remaining > 0 THEN remaining END;
    IF g IS NULL THEN
      codes := codes || 'DENIED'::text;
      granted := granted || NULL::bigint;
      CONTINUE;
    END IF;
    remaining := remaining - g;
    INSERT INTO lutflow_reservations (id, tenant_id, amount_micros, created_at, expires_at, run_id, chain)
      VALUES (p_ids[i], p_tenant, g, p_now, p_expires[i], p_run_ids[i], levels);
    codes := codes || 'OK'::text;
    granted := granted || g;
  END LOOP;
END $$;
`,
  },
  {
    version: 7,
    name: 'reservations reached only from their own scope or an ancestor; ids per reporting scope; draws of leases not settled',
    sql: `
-- Whether a reservation made for p_owner may be closed or renewed through the path of p_path: its own, or an
-- ancestor's, never a descendant's or a sibling's, and a server scope's (a deployment's) only through its own
-- (serving/ledger/rules.ts reaches()).
CREATE FUNCTION lutflow_reaches(p_path text, p_owner text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT p_owner = p_path OR (starts_with(p_owner, p_path || '/') AND p_owner !~ '(^|/)deployment:')
$$;

-- When a reservation is forgotten: the settle grace period after it expired or closed, whichever is later.
CREATE FUNCTION lutflow_forget_at(r lutflow_reservations, p_grace interval) RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$
  SELECT greatest(r.expires_at, coalesce(r.closed_at, r.expires_at)) + p_grace
$$;

-- As before, and only through the path of the reservation's own scope or an ancestor's.
CREATE OR REPLACE FUNCTION lutflow_extend(p_scopes text[], p_id text, p_now timestamptz, p_expires timestamptz) RETURNS SETOF lutflow_reservations
LANGUAGE sql AS $$
  UPDATE lutflow_reservations SET expires_at = p_expires
  WHERE id = p_id AND chain && p_scopes AND lutflow_reaches(p_scopes[1], tenant_id) AND state = 'open' AND NOT swept AND expires_at > p_now
  RETURNING *
$$;

-- Closes a reservation reached through p_scopes[1]'s path for every budget holding it (its own scope's chain);
-- answers the code, the budget the caller sees (the first of its path's that holds it) and those holding it.
DROP FUNCTION lutflow_close(text[], text, boolean, bigint, timestamptz, interval);
CREATE FUNCTION lutflow_close(p_scopes text[], p_id text, p_settle boolean, p_micros bigint, p_now timestamptz, p_grace interval,
  OUT code text, OUT level text, OUT holders text[])
LANGUAGE plpgsql AS $$
DECLARE
  levels text[] := lutflow_lock_chain(p_scopes);
  r lutflow_reservations;
BEGIN
  IF cardinality(levels) = 0 THEN code := 'BUDGET_NOT_FOUND'; RETURN; END IF;
  SELECT * INTO r FROM lutflow_reservations WHERE id = p_id AND chain && levels AND lutflow_reaches(p_scopes[1], tenant_id) FOR UPDATE;
  IF NOT FOUND OR p_now >= lutflow_forget_at(r, p_grace) THEN
    code := 'RESERVATION_NOT_FOUND';
    RETURN;
  END IF;
  SELECT l INTO level FROM unnest(levels) WITH ORDINALITY AS t(l, ord) WHERE l = ANY(r.chain) ORDER BY ord LIMIT 1;
  holders := r.chain;
  IF r.state = 'settled' THEN code := 'RESERVATION_SETTLED'; RETURN; END IF;
  IF NOT p_settle AND (r.state <> 'open' OR r.expires_at <= p_now) THEN code := 'NOOP'; RETURN; END IF;
  UPDATE lutflow_reservations SET state = CASE WHEN p_settle THEN 'settled' ELSE 'released' END, closed_at = p_now WHERE id = p_id;
  IF p_settle THEN
    PERFORM lutflow_add_spend(l, p_now, greatest(0, p_micros - r.drawn_micros)) FROM unnest(r.chain) AS l;
  END IF;
  code := 'OK';
END $$;

-- As before, with ids remembered per reporting scope (p_scopes[1]; two siblings may both send an id) and a
-- lease honoured only when it is the reporting scope's own: spent under it while it is not settled (open,
-- expired or released) draws it, so that its settle charges only the rest; once settled, its settle counted it.
CREATE OR REPLACE FUNCTION lutflow_charge(p_scopes text[], p_ids text[], p_micros bigint[], p_at timestamptz[], p_leases text[], p_now timestamptz,
  p_horizon interval, p_grace interval, OUT charged int, OUT late int, OUT duplicates int, OUT covered int)
LANGUAGE plpgsql AS $$
DECLARE
  levels text[] := lutflow_lock_chain(p_scopes);
  reporter text := p_scopes[1];
  b lutflow_budgets;
  w record;
BEGIN
  IF cardinality(levels) = 0 THEN RETURN; END IF;
  SELECT * INTO b FROM lutflow_budgets WHERE tenant_id = levels[1];
  w := lutflow_window(b.budget_window, b.reset_hour_utc, b.reset_day, p_now);
  PERFORM 1 FROM lutflow_reservations WHERE tenant_id = reporter AND id = ANY(p_leases) ORDER BY id FOR UPDATE;
  WITH input AS (
    SELECT DISTINCT ON (id) id, micros, at, lease, ord FROM unnest(p_ids, p_micros, p_at, p_leases) WITH ORDINALITY AS t(id, micros, at, lease, ord)
    ORDER BY id, ord
  ), fresh AS (
    SELECT i.* FROM input i WHERE NOT EXISTS (
      SELECT 1 FROM lutflow_charged_events e WHERE e.tenant_id = reporter AND e.event_id = i.id AND e.keep_until > p_now)
  ), remembered AS (
    INSERT INTO lutflow_charged_events (tenant_id, event_id, keep_until)
    SELECT reporter, f.id, f.at + p_horizon FROM fresh f
    ON CONFLICT (tenant_id, event_id) DO UPDATE SET keep_until = excluded.keep_until
  ), priced AS (
    SELECT f.micros, f.lease,
      coalesce(r.state = 'settled' AND p_now < lutflow_forget_at(r, p_grace), false) AS is_covered,
      coalesce(r.state <> 'settled' AND p_now < lutflow_forget_at(r, p_grace), false) AS draws,
      least(f.at, p_now) < w.wstart AS is_late,
      CASE WHEN least(f.at, p_now) < w.wstart THEN p_now ELSE least(f.at, p_now) END AS charge_at
    FROM fresh f LEFT JOIN lutflow_reservations r ON r.id = f.lease AND r.tenant_id = reporter AND r.chain && levels
  ), spent AS (
    INSERT INTO lutflow_spend_hours (tenant_id, hour, micros)
    SELECT l, date_trunc('hour', charge_at), sum(micros) FROM priced, unnest(levels) AS l WHERE NOT is_covered GROUP BY 1, 2
    ON CONFLICT (tenant_id, hour) DO UPDATE SET micros = lutflow_spend_hours.micros + excluded.micros
  ), drew AS (
    UPDATE lutflow_reservations r SET drawn_micros = r.drawn_micros + d.total
    FROM (SELECT lease, sum(micros) AS total FROM priced WHERE draws GROUP BY lease) d
    WHERE r.id = d.lease AND r.tenant_id = reporter
  )
  SELECT count(*) FILTER (WHERE NOT is_covered AND NOT is_late), count(*) FILTER (WHERE NOT is_covered AND is_late),
    count(*) FILTER (WHERE is_covered)
    INTO charged, late, covered FROM priced;
  duplicates := cardinality(p_ids) - charged - late - covered;
END $$;
`,
  },
];

const checksum = (sql: string) => createHash('sha256').update(sql).digest('hex');

/**
 * Applies the migrations this database lacks, in one transaction, under a lock so replicas starting together take
 * turns. Each applied migration's checksum is kept: a database migrated with a text that has changed since (a
 * released migration edited in place) is refused at start instead of silently missing the change.
 */
export async function migrate(client: PoolClient): Promise<number[]> {
  const applied: number[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(7346209183)');
    await client.query(`CREATE TABLE IF NOT EXISTS lutflow_schema_migrations (
      version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    await client.query('ALTER TABLE lutflow_schema_migrations ADD COLUMN IF NOT EXISTS checksum text');
    const { rows } = await client.query<{ version: number; checksum: string | null }>('SELECT version, checksum FROM lutflow_schema_migrations');
    const have = new Map(rows.map((r) => [r.version, r.checksum]));
    for (const m of MIGRATIONS) {
      const sum = checksum(m.sql);
      if (have.has(m.version)) {
        const recorded = have.get(m.version);
        if (recorded && recorded !== sum) {
          throw new Error(`the ledger database applied schema version ${m.version} from a different text than this Lutflow's (checksum ${recorded.slice(0, 12)} ≠ ${sum.slice(0, 12)}); it would lack what changed: restore that database's schema by hand`);
        }
        // Recorded before checksums were kept: taken as this text.
        if (!recorded) await client.query('UPDATE lutflow_schema_migrations SET checksum = $2 WHERE version = $1', [m.version, sum]);
        continue;
      }
      await client.query(m.sql);
      await client.query('INSERT INTO lutflow_schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [m.version, m.name, sum]);
      applied.push(m.version);
    }
    const newest = Math.max(...have.keys(), 0);
    const known = Math.max(...MIGRATIONS.map((m) => m.version));
    if (newest > known) throw new Error(`the ledger database is at schema version ${newest}, newer than this Lutflow knows (${known}); upgrade Lutflow`);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
  return applied;
}
