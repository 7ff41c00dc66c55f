-- Ad clicks by province (seed 001, course module MarketAnalysis: AdStatisticsByGeo): clicks per
-- province in 1-hour windows sliding 5 seconds, with the click-fraud blacklist: a user who
-- clicks the same ad more than 100 times in a day is blacklisted, and their further clicks on
-- that ad that day are not counted.
SET 'table.local-time-zone' = 'Asia/Shanghai';

CREATE TABLE ad_click_log (
  user_id  BIGINT,
  ad_id    BIGINT,
  province STRING,
  city     STRING,
  ts       BIGINT COMMENT 'epoch seconds',
  event_time AS TO_TIMESTAMP_LTZ(ts, 0),
  WATERMARK FOR event_time AS event_time - INTERVAL '10' SECOND
) WITH (
  'connector' = 'filesystem',
  'path' = '../shared/data/shangguigu-userbehavior/AdClickLog.csv',
  'format' = 'csv'
);

CREATE TABLE ad_blacklist (
  user_id  BIGINT,
  ad_id    BIGINT,
  day      STRING,
  since    TIMESTAMP(3),
  PRIMARY KEY (user_id, ad_id, day) NOT ENFORCED
) WITH ('connector' = 'jdbc', 'url' = 'jdbc:sqlite:out/ecommerce.db', 'table-name' = 'ad_blacklist');

CREATE TABLE ad_clicks_by_province (
  window_end TIMESTAMP(3),
  province   STRING,
  clicks     BIGINT,
  PRIMARY KEY (window_end, province) NOT ENFORCED
) WITH ('connector' = 'jdbc', 'url' = 'jdbc:sqlite:out/ecommerce.db', 'table-name' = 'ad_clicks_by_province');

-- Each click numbered within its user, ad and day.
CREATE VIEW numbered_clicks AS
SELECT user_id, ad_id, province, event_time,
       DATE_FORMAT(event_time, 'yyyy-MM-dd') AS day,
       COUNT(*) OVER (PARTITION BY user_id, ad_id, DATE_FORMAT(event_time, 'yyyy-MM-dd')
                      ORDER BY event_time ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS click_no
FROM ad_click_log;

CREATE VIEW counted_clicks AS
SELECT * FROM numbered_clicks WHERE click_no <= 100;

-- The 101st click puts the user on the blacklist.
INSERT INTO ad_blacklist
SELECT user_id, ad_id, day, CAST(event_time AS TIMESTAMP(3))
FROM numbered_clicks
WHERE click_no = 101;

INSERT INTO ad_clicks_by_province
SELECT window_end, province, COUNT(*)
FROM TABLE(HOP(TABLE counted_clicks, DESCRIPTOR(event_time), INTERVAL '5' SECOND, INTERVAL '1' HOUR))
GROUP BY window_start, window_end, province;
