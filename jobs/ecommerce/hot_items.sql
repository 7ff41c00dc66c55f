-- Hot items: every 5 minutes, the 5 most viewed items of the last hour (seed 001, course
-- module HotItemsAnalysis), over the course's UserBehavior.csv.
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

CREATE TABLE hot_items (
  window_end TIMESTAMP(3),
  item_rank  BIGINT,
  item_id    BIGINT,
  pv         BIGINT,
  PRIMARY KEY (window_end, item_rank) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = 'jdbc:sqlite:out/ecommerce.db',
  'table-name' = 'hot_items'
);

INSERT INTO hot_items
SELECT window_end, rn, item_id, pv
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY pv DESC, item_id) AS rn
  FROM (
    SELECT window_start, window_end, item_id, COUNT(*) AS pv
    FROM TABLE(HOP(TABLE user_behavior, DESCRIPTOR(event_time), INTERVAL '5' MINUTES, INTERVAL '1' HOUR))
    WHERE behavior = 'pv'
    GROUP BY window_start, window_end, item_id
  )
)
WHERE rn <= 5;
