-- The benchmark job: hot items (top 5 per 1-hour window sliding 5 minutes) and hourly PV/UV
-- over generated user-behaviour rows. bench/run.sh replaces @DATA@ and @DB@ with its paths.
SET 'table.local-time-zone' = 'UTC';

CREATE TABLE user_behavior (
  user_id BIGINT, item_id BIGINT, category_id BIGINT, behavior STRING, ts BIGINT,
  event_time AS TO_TIMESTAMP_LTZ(ts, 0),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = '@DATA@', 'format' = 'csv');

CREATE TABLE hot_items (
  window_end TIMESTAMP(3), item_rank BIGINT, item_id BIGINT, pv BIGINT,
  PRIMARY KEY (window_end, item_rank) NOT ENFORCED
) WITH ('connector' = 'jdbc', 'url' = 'jdbc:sqlite:@DB@', 'table-name' = 'hot_items',
        'sink.buffer-flush.max-rows' = '1000');

CREATE TABLE hourly_pv_uv (
  window_start TIMESTAMP(3), pv BIGINT, uv BIGINT,
  PRIMARY KEY (window_start) NOT ENFORCED
) WITH ('connector' = 'jdbc', 'url' = 'jdbc:sqlite:@DB@', 'table-name' = 'hourly_pv_uv');

INSERT INTO hot_items
SELECT window_end, rn, item_id, pv FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY pv DESC, item_id) AS rn
  FROM (
    SELECT window_start, window_end, item_id, COUNT(*) AS pv
    FROM TABLE(HOP(TABLE user_behavior, DESCRIPTOR(event_time), INTERVAL '5' MINUTES, INTERVAL '1' HOUR))
    WHERE behavior = 'pv'
    GROUP BY window_start, window_end, item_id))
WHERE rn <= 5;

INSERT INTO hourly_pv_uv
SELECT window_start, COUNT(*), COUNT(DISTINCT user_id)
FROM TABLE(TUMBLE(TABLE user_behavior, DESCRIPTOR(event_time), INTERVAL '1' HOUR))
WHERE behavior = 'pv'
GROUP BY window_start, window_end;
