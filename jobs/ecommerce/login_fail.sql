-- Malicious login: a user failing to log in twice in a row within 2 seconds (seed 001,
-- course module LoginFailDetect). The course uses CEP; here an OVER window over each user's
-- previous login event does the same: the current event and the one before it both failed,
-- at most 2 seconds apart.
SET 'table.local-time-zone' = 'Asia/Shanghai';

CREATE TABLE login_log (
  user_id    BIGINT,
  ip         STRING,
  event_type STRING COMMENT 'success | fail',
  ts         BIGINT COMMENT 'epoch seconds',
  event_time AS TO_TIMESTAMP_LTZ(ts, 0),
  WATERMARK FOR event_time AS event_time - INTERVAL '6' SECOND
) WITH (
  'connector' = 'filesystem',
  'path' = '../shared/data/shangguigu-userbehavior/LoginLog.csv',
  'format' = 'csv'
);

CREATE TABLE login_fail_alerts (
  user_id     BIGINT,
  first_fail  TIMESTAMP(3),
  second_fail TIMESTAMP(3),
  ip          STRING,
  PRIMARY KEY (user_id, second_fail) NOT ENFORCED
) WITH ('connector' = 'jdbc', 'url' = 'jdbc:sqlite:out/ecommerce.db', 'table-name' = 'login_fail_alerts');

INSERT INTO login_fail_alerts
SELECT user_id, CAST(prev_time AS TIMESTAMP(3)), CAST(event_time AS TIMESTAMP(3)), ip
FROM (
  SELECT user_id, ip, event_type, event_time,
         FIRST_VALUE(event_type) OVER (PARTITION BY user_id ORDER BY event_time ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS prev_type,
         FIRST_VALUE(event_time) OVER (PARTITION BY user_id ORDER BY event_time ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS prev_time,
         COUNT(*) OVER (PARTITION BY user_id ORDER BY event_time ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS n
  FROM login_log
)
WHERE n = 2 AND event_type = 'fail' AND prev_type = 'fail'
  AND event_time <= prev_time + INTERVAL '2' SECOND;
