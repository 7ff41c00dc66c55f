-- Malicious login: a user failing to log in twice in a row within 2 seconds (seed 001,
-- course module LoginFailDetect), with MATCH_RECOGNIZE as the course does with CEP.
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
SELECT user_id, CAST(first_fail AS TIMESTAMP(3)), CAST(second_fail AS TIMESTAMP(3)), ip
FROM login_log
MATCH_RECOGNIZE (
  PARTITION BY user_id
  ORDER BY event_time
  MEASURES A.event_time AS first_fail, B.event_time AS second_fail, B.ip AS ip
  ONE ROW PER MATCH
  AFTER MATCH SKIP TO NEXT ROW
  PATTERN (A B) WITHIN INTERVAL '2' SECOND
  DEFINE A AS A.event_type = 'fail', B AS B.event_type = 'fail'
);
