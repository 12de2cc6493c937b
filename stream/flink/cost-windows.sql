-- Lutflow cost windows on Apache Flink (2.2 with flink-sql-connector-kafka 5.0): the same 10-second windows
-- as `lutflow windows`, from lut.telemetry to lut.cost-windows in the same record shape and key.
--
-- `lutflow flink sql --brokers HOST:PORT` prints this file with every ${...} filled in, for a managed Flink
-- or the SQL client; `lutflow flink submit --gateway URL` runs it through a SQL Gateway. Filled in by hand,
-- it runs as it is. What differs from our own job, and why, is in README.md ("Cost windows on Flink").

SET 'table.local-time-zone' = 'UTC';
SET 'pipeline.name' = '${JOB_NAME}';
-- Exactly once: the windows reach lut.cost-windows in Kafka transactions committed with each checkpoint.
SET 'execution.checkpointing.interval' = '${CHECKPOINT_INTERVAL}';
SET 'execution.checkpointing.mode' = 'EXACTLY_ONCE';
SET 'execution.checkpointing.externalized-checkpoint-retention' = 'RETAIN_ON_CANCELLATION';
-- Event ids (de-duplication) and tenants' clocks are kept this long (processing time) after they were last seen.
SET 'table.exec.state.ttl' = '${STATE_TTL}';

-- lut.telemetry (stream/contracts/telemetry.ts). Numbers are read as DECIMAL so that a fraction in an
-- integer field is seen and the record refused (a BIGINT column would silently truncate it).
CREATE TEMPORARY TABLE lut_telemetry (
  schema_version DECIMAL(38, 9),
  event_id STRING,
  event_time STRING,
  tenant_id STRING,
  deployment_id STRING,
  run_id STRING,
  lease_id STRING,
  provider STRING,
  model STRING,
  tokens ROW<`input` DECIMAL(38, 9), cached_input DECIMAL(38, 9), cache_write DECIMAL(38, 9),
    `output` DECIMAL(38, 9), reasoning DECIMAL(38, 9)>,
  gpu ROW<`type` STRING, `count` DECIMAL(38, 9), seconds DECIMAL(38, 9)>,
  cost_usd_micros DECIMAL(38, 9),
  latency_ms DECIMAL(38, 9),
  outcome STRING,
  -- RFC 3339 with Z or a numeric offset, any number of fraction digits (milliseconds kept, the rest cut).
  ts AS COALESCE(
    TO_TIMESTAMP_LTZ(
      SUBSTRING(event_time FROM 1 FOR CHAR_LENGTH(event_time) - IF(event_time LIKE '%Z', 1, 6)),
      'yyyy-MM-dd''T''HH:mm:ss[.SSSSSSSSS][.SSSSSSSS][.SSSSSSS][.SSSSSS][.SSSSS][.SSSS][.SSS][.SS][.S]',
      IF(event_time LIKE '%Z', 'UTC', SUBSTRING(event_time FROM CHAR_LENGTH(event_time) - 5))),
    TO_TIMESTAMP_LTZ(0, 3)),
  proc AS PROCTIME(),
  -- A window closes when the watermark reaches its end minus 1 ms: so far behind the newest event that every
  -- event ours would still take (bound + allowed lateness) is in, with room for tenants' clocks to differ.
  WATERMARK FOR ts AS ts - INTERVAL '${WATERMARK_DELAY}' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${TELEMETRY_TOPIC}',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'properties.group.id' = '${GROUP_ID}',
  'properties.isolation.level' = 'read_committed',
  ${SOURCE_STARTUP},
  -- A watermark after every event: what is dropped as too late then depends on the order read, not on its speed.
  'scan.watermark.emit.strategy' = 'on-event',
  'scan.watermark.idle-timeout' = '${IDLE_TIMEOUT}',
  'format' = 'json',
  'json.fail-on-missing-field' = 'false',
  'json.ignore-parse-errors' = 'true'
);

-- lut.cost-windows (stream/windows/contract.ts): the full state of a window, keyed scope/key/window_start;
-- a later revision replaces an earlier one.
CREATE TEMPORARY TABLE lut_cost_windows (
  record_key STRING,
  schema_version INT,
  `scope` STRING,
  `key` STRING,
  tenant_id STRING,
  window_start STRING,
  window_end STRING,
  spend_usd_micros BIGINT,
  calls BIGINT,
  tokens ROW<`input` BIGINT, cached_input BIGINT, cache_write BIGINT, `output` BIGINT, reasoning BIGINT>,
  gpu_seconds DECIMAL(38, 9),
  late_events BIGINT,
  revision BIGINT
) WITH (
  'connector' = 'kafka',
  'topic' = '${WINDOWS_TOPIC}',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'properties.transaction.timeout.ms' = '600000',
  'key.format' = 'raw',
  'key.fields' = 'record_key',
  'value.format' = 'json',
  'value.fields-include' = 'EXCEPT_KEY',
  'value.json.encode.decimal-as-plain-number' = 'true',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = '${JOB_NAME}'
);

-- The events our validator accepts (stream/contracts/validate.ts); the others are left out.
CREATE TEMPORARY VIEW lut_valid_events AS
SELECT
  event_id, tenant_id, deployment_id, ts, proc,
  CAST(cost_usd_micros AS BIGINT) AS cost,
  CAST(COALESCE(tokens.`input`, 0) AS BIGINT) AS tok_input,
  CAST(COALESCE(tokens.cached_input, 0) AS BIGINT) AS tok_cached_input,
  CAST(COALESCE(tokens.cache_write, 0) AS BIGINT) AS tok_cache_write,
  CAST(COALESCE(tokens.`output`, 0) AS BIGINT) AS tok_output,
  CAST(COALESCE(tokens.reasoning, 0) AS BIGINT) AS tok_reasoning,
  COALESCE(gpu.seconds * gpu.`count`, 0) AS gpu_seconds
FROM lut_telemetry
-- Ids as the contract has them (stream/contracts/common.ts Id): 1 to 256 characters, no control characters.
WHERE schema_version = 1
  AND CHAR_LENGTH(event_id) BETWEEN 1 AND 256 AND NOT REGEXP(event_id, '[\x00-\x1F\x7F]')
  AND REGEXP(event_time, '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$')
  AND TO_TIMESTAMP_LTZ(
      SUBSTRING(event_time FROM 1 FOR CHAR_LENGTH(event_time) - IF(event_time LIKE '%Z', 1, 6)),
      'yyyy-MM-dd''T''HH:mm:ss[.SSSSSSSSS][.SSSSSSSS][.SSSSSSS][.SSSSSS][.SSSSS][.SSSS][.SSS][.SS][.S]',
      IF(event_time LIKE '%Z', 'UTC', SUBSTRING(event_time FROM CHAR_LENGTH(event_time) - 5))) IS NOT NULL
  AND CHAR_LENGTH(tenant_id) BETWEEN 1 AND 256 AND NOT REGEXP(tenant_id, '[\x00-\x1F\x7F]')
  AND (deployment_id IS NULL OR (CHAR_LENGTH(deployment_id) BETWEEN 1 AND 256 AND NOT REGEXP(deployment_id, '[\x00-\x1F\x7F]')))
  AND (run_id IS NULL OR (CHAR_LENGTH(run_id) BETWEEN 1 AND 256 AND NOT REGEXP(run_id, '[\x00-\x1F\x7F]')))
  AND (lease_id IS NULL OR (CHAR_LENGTH(lease_id) BETWEEN 1 AND 256 AND NOT REGEXP(lease_id, '[\x00-\x1F\x7F]')))
  AND CHAR_LENGTH(provider) BETWEEN 1 AND 256 AND NOT REGEXP(provider, '[\x00-\x1F\x7F]')
  AND CHAR_LENGTH(model) BETWEEN 1 AND 256 AND NOT REGEXP(model, '[\x00-\x1F\x7F]')
  AND cost_usd_micros BETWEEN 0 AND 1000000000000000 AND cost_usd_micros = FLOOR(cost_usd_micros)
  AND (tokens.`input` IS NULL OR (tokens.`input` BETWEEN 0 AND 1000000000000 AND tokens.`input` = FLOOR(tokens.`input`)))
  AND (tokens.cached_input IS NULL
    OR (tokens.cached_input BETWEEN 0 AND 1000000000000 AND tokens.cached_input = FLOOR(tokens.cached_input)))
  AND (tokens.cache_write IS NULL
    OR (tokens.cache_write BETWEEN 0 AND 1000000000000 AND tokens.cache_write = FLOOR(tokens.cache_write)))
  AND (tokens.`output` IS NULL
    OR (tokens.`output` BETWEEN 0 AND 1000000000000 AND tokens.`output` = FLOOR(tokens.`output`)))
  AND (tokens.reasoning IS NULL
    OR (tokens.reasoning BETWEEN 0 AND 1000000000000 AND tokens.reasoning = FLOOR(tokens.reasoning)))
  AND (tokens.cached_input IS NULL OR tokens.`input` IS NULL OR tokens.cached_input <= tokens.`input`)
  AND (tokens.reasoning IS NULL OR tokens.`output` IS NULL OR tokens.reasoning <= tokens.`output`)
  AND (gpu IS NULL OR (CHAR_LENGTH(gpu.`type`) BETWEEN 1 AND 256 AND NOT REGEXP(gpu.`type`, '[\x00-\x1F\x7F]') AND gpu.`count` >= 1
    AND gpu.`count` = FLOOR(gpu.`count`) AND gpu.seconds BETWEEN 0 AND 1000000000000))
  AND (latency_ms IS NULL OR latency_ms BETWEEN 0 AND 1000000000000)
  AND outcome IN ('ok', 'error', 'aborted', 'refused');

-- Each tenant's event-time clock, as ours keeps it: the newest event time it has sent so far (in arrival order).
-- Late: its window had closed on that clock (end <= newest - bound); too late: past the allowed lateness.
CREATE TEMPORARY VIEW lut_clocked_events AS
SELECT *, window_end_ms <= tenant_newest_ms - ${OUT_OF_ORDERNESS_MS} AS late,
  window_end_ms + ${ALLOWED_LATENESS_MS} <= tenant_newest_ms - ${OUT_OF_ORDERNESS_MS} AS too_late
FROM (
  SELECT *, ts_ms - MOD(ts_ms, ${WINDOW_MS}) + ${WINDOW_MS} AS window_end_ms,
    MAX(ts_ms) OVER (PARTITION BY tenant_id ORDER BY proc ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
      AS tenant_newest_ms
  FROM (
    SELECT *, CAST(TIMESTAMPDIFF(MINUTE, TO_TIMESTAMP_LTZ(0, 3), ts) AS BIGINT) * 60000
      + EXTRACT(SECOND FROM ts) * 1000 + EXTRACT(MILLISECOND FROM ts) AS ts_ms
    FROM lut_valid_events
  )
);

-- An event id counts once: the first arrival is kept (insert-only, so the event time stays a time attribute).
-- With --windows-from, only the windows starting at or after it (taking over from another engine, which
-- keeps the earlier ones); the tenants' clocks above still see every event.
CREATE TEMPORARY VIEW lut_window_events AS
SELECT * FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY proc ASC) AS arrival
  FROM lut_clocked_events WHERE NOT too_late AND ${WINDOWS_FROM}
) WHERE arrival = 1;

-- Each window is emitted once, complete: when event time (the watermark) is past its end by the bound, the
-- allowed lateness and the skew allowed between tenants' clocks. Revision 0; late_events counts as ours does.
INSERT INTO lut_cost_windows
SELECT
  CONCAT(`scope`, '/', `key`, '/', DATE_FORMAT(window_start, 'yyyy-MM-dd''T''HH:mm:ss.SSS''Z''')),
  1, `scope`, `key`, tenant_id,
  DATE_FORMAT(window_start, 'yyyy-MM-dd''T''HH:mm:ss.SSS''Z'''),
  DATE_FORMAT(window_end, 'yyyy-MM-dd''T''HH:mm:ss.SSS''Z'''),
  spend, calls, ROW(t_input, t_cached_input, t_cache_write, t_output, t_reasoning), gpu_seconds, late_events, 0
FROM (
  SELECT IF(GROUPING(deployment_id) = 1, 'tenant', 'deployment') AS `scope`,
    IF(GROUPING(deployment_id) = 1, tenant_id, deployment_id) AS `key`, tenant_id, window_start, window_end,
    SUM(cost) AS spend, COUNT(*) AS calls, SUM(tok_input) AS t_input, SUM(tok_cached_input) AS t_cached_input,
    SUM(tok_cache_write) AS t_cache_write, SUM(tok_output) AS t_output, SUM(tok_reasoning) AS t_reasoning,
    SUM(gpu_seconds) AS gpu_seconds, SUM(IF(late, 1, 0)) AS late_events
  FROM TABLE(TUMBLE(TABLE lut_window_events, DESCRIPTOR(ts), INTERVAL '${WINDOW_SECONDS}' SECOND))
  GROUP BY window_start, window_end, GROUPING SETS ((tenant_id), (tenant_id, deployment_id))
)
-- The per-deployment set also groups the events without a deployment: those are in the tenant's window only.
WHERE `key` IS NOT NULL;
