-- Daily and hourly foot traffic over a real WiFi probe capture (../shared/data/wifi-probe:
-- an ESP32 sniffer in a university lab in Brno, two days two years apart): the daily-traffic
-- metric of seed 000 on real probe requests, with the capture's own head count (occupancy)
-- next to the device counts. Randomized MACs (locally administered) change per probe burst,
-- so visitors are counted by their non-randomized MACs, as mall analytics do.
CREATE TABLE probe_requests (
  `datetime`  TIMESTAMP(6) COMMENT 'naive local time of the capture',
  dst         STRING,
  src         STRING COMMENT 'device MAC',
  src_vendor  STRING,
  randomized  INT COMMENT '1 = locally administered MAC',
  rssi        INT,
  idx         BIGINT,
  seq_num     INT,
  ch_freq     INT,
  FCfield     STRING,
  ssid        STRING,
  dot11elt    STRING,
  oui         STRING,
  occupancy   DOUBLE COMMENT 'people in the room (ground truth)',
  WATERMARK FOR `datetime` AS `datetime` - INTERVAL '5' SECOND
) WITH (
  'connector' = 'filesystem',
  'path' = '../shared/data/wifi-probe/brno-sc6-61',
  'format' = 'csv',
  'csv.field-delimiter' = ';',
  'csv.ignore-first-line' = 'true'
);

CREATE TABLE probe_daily (
  day                STRING,
  devices            BIGINT COMMENT 'distinct non-randomized MACs',
  randomized_macs    BIGINT,
  probes             BIGINT,
  PRIMARY KEY (day) NOT ENFORCED
) WITH ('connector' = 'jdbc', 'url' = 'jdbc:sqlite:out/probe.db', 'table-name' = 'probe_daily');

CREATE TABLE probe_hourly (
  hour_start    TIMESTAMP(3),
  devices       BIGINT,
  strong_devices BIGINT COMMENT 'heard at -70 dBm or stronger: likely in the room',
  avg_occupancy DOUBLE,
  PRIMARY KEY (hour_start) NOT ENFORCED
) WITH ('connector' = 'jdbc', 'url' = 'jdbc:sqlite:out/probe.db', 'table-name' = 'probe_hourly');

INSERT INTO probe_daily
SELECT DATE_FORMAT(`datetime`, 'yyyy-MM-dd'),
       COUNT(DISTINCT src) FILTER (WHERE randomized = 0),
       COUNT(DISTINCT src) FILTER (WHERE randomized = 1),
       COUNT(*)
FROM probe_requests
GROUP BY DATE_FORMAT(`datetime`, 'yyyy-MM-dd');

INSERT INTO probe_hourly
SELECT window_start,
       COUNT(DISTINCT src) FILTER (WHERE randomized = 0),
       COUNT(DISTINCT src) FILTER (WHERE randomized = 0 AND rssi >= -70),
       AVG(occupancy)
FROM TABLE(TUMBLE(TABLE probe_requests, DESCRIPTOR(`datetime`), INTERVAL '1' HOUR))
GROUP BY window_start, window_end;
