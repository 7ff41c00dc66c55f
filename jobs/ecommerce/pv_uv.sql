-- Hourly page views and unique visitors (seed 001, course module NetworkFlowAnalysis:
-- PageView and UniqueVisitor), over the course's UserBehavior.csv.
SET 'table.local-time-zone' = 'Asia/Shanghai';

CREATE TABLE user_behavior (
  user_id     BIGINT,
  item_id     BIGINT,
  category_id BIGINT,
  behavior    STRING,
  ts          BIGINT COMMENT 'epoch seconds',
  event_time AS TO_TIMESTAMP_LTZ(ts, 0),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'filesystem',
  'path' = '../shared/data/shangguigu-userbehavior/UserBehavior.csv',
  'format' = 'csv'
);

CREATE TABLE hourly_pv_uv (
  window_start TIMESTAMP(3),
  window_end   TIMESTAMP(3),
  pv           BIGINT,
  uv           BIGINT,
  PRIMARY KEY (window_start) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = 'jdbc:sqlite:out/ecommerce.db',
  'table-name' = 'hourly_pv_uv'
);

INSERT INTO hourly_pv_uv
SELECT window_start, window_end, COUNT(*), COUNT(DISTINCT user_id)
FROM TABLE(TUMBLE(TABLE user_behavior, DESCRIPTOR(event_time), INTERVAL '1' HOUR))
WHERE behavior = 'pv'
GROUP BY window_start, window_end;
