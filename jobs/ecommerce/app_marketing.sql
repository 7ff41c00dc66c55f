-- App marketing by channel (seed 001, course module MarketAnalysis: AppMarketingByChannel):
-- every 5 seconds, the last hour's count of each user behaviour per promotion channel. The
-- course simulates its source in code; `eddy gen marketing --out out/marketing` writes an
-- equivalent event file (timestamps in epoch milliseconds).
SET 'table.local-time-zone' = 'Asia/Shanghai';

CREATE TABLE app_marketing (
  user_id  STRING,
  behavior STRING COMMENT 'CLICK | DOWNLOAD | INSTALL | UNINSTALL',
  channel  STRING,
  ts       BIGINT COMMENT 'epoch milliseconds',
  event_time AS TO_TIMESTAMP_LTZ(ts, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'filesystem',
  'path' = 'out/marketing/app_marketing.csv',
  'format' = 'csv'
);

CREATE TABLE app_marketing_by_channel (
  window_end TIMESTAMP(3),
  channel    STRING,
  behavior   STRING,
  events     BIGINT,
  PRIMARY KEY (window_end, channel, behavior) NOT ENFORCED
) WITH ('connector' = 'jdbc', 'url' = 'jdbc:sqlite:out/ecommerce.db', 'table-name' = 'app_marketing_by_channel',
        'sink.buffer-flush.max-rows' = '5000');

INSERT INTO app_marketing_by_channel
SELECT window_end, channel, behavior, COUNT(*)
FROM TABLE(HOP(TABLE app_marketing, DESCRIPTOR(event_time), INTERVAL '5' SECOND, INTERVAL '1' HOUR))
WHERE behavior <> 'UNINSTALL'
GROUP BY window_start, window_end, channel, behavior;
