-- Hot pages: every 5 seconds, the 3 most requested URLs of the last 10 minutes, from a web
-- server log whose seconds are shuffled within each minute (up to 59 s out of order), hence
-- the 1-minute watermark delay (seed 001, course module NetworkFlowAnalysis: HotPages).
CREATE TABLE apache_log (
  ip         STRING,
  ident      STRING,
  auth       STRING,
  time_text  STRING COMMENT 'dd/MM/yyyy:HH:mm:ss',
  zone       STRING COMMENT 'always +0000',
  method     STRING,
  url        STRING,
  event_time AS TO_TIMESTAMP(time_text, 'dd/MM/yyyy:HH:mm:ss'),
  WATERMARK FOR event_time AS event_time - INTERVAL '1' MINUTE
) WITH (
  'connector' = 'filesystem',
  'path' = '../shared/data/shangguigu-userbehavior/apache.log',
  'format' = 'csv',
  'csv.field-delimiter' = ' ',
  'csv.disable-quote-character' = 'true'
);

CREATE TABLE hot_pages (
  window_end TIMESTAMP(3),
  page_rank  BIGINT,
  url        STRING,
  hits       BIGINT,
  PRIMARY KEY (window_end, page_rank) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = 'jdbc:sqlite:out/ecommerce.db',
  'table-name' = 'hot_pages'
);

INSERT INTO hot_pages
SELECT window_end, rn, url, hits
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY hits DESC, url) AS rn
  FROM (
    SELECT window_start, window_end, url, COUNT(*) AS hits
    FROM TABLE(HOP(TABLE apache_log, DESCRIPTOR(event_time), INTERVAL '5' SECOND, INTERVAL '10' MINUTE))
    WHERE method = 'GET' AND url NOT LIKE '%.css' AND url NOT LIKE '%.js'
    GROUP BY window_start, window_end, url
  )
)
WHERE rn <= 3;
