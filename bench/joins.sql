-- The join benchmark: order/receipt reconciliation (full outer join) and the order payment
-- timeout (interval left join) over generated orders. bench/run_joins.sh fills in @DIR@.
CREATE TABLE order_log (order_id BIGINT, event_type STRING, tx_id STRING, ts BIGINT,
  event_time AS TO_TIMESTAMP_LTZ(ts, 0), WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND)
WITH ('connector' = 'filesystem', 'path' = '@DIR@/orders.csv', 'format' = 'csv');
CREATE TABLE receipt_log (tx_id STRING, pay_channel STRING, ts BIGINT)
WITH ('connector' = 'filesystem', 'path' = '@DIR@/receipts.csv', 'format' = 'csv');
CREATE TABLE reconciliation (tx_id STRING, order_id BIGINT, pay_channel STRING)
WITH ('connector' = 'blackhole');
CREATE TABLE timeouts (order_id BIGINT, status STRING) WITH ('connector' = 'blackhole');
CREATE VIEW creates AS SELECT order_id, event_time FROM order_log WHERE event_type = 'create';
CREATE VIEW pays AS SELECT order_id, tx_id, event_time FROM order_log WHERE event_type = 'pay';
INSERT INTO reconciliation
SELECT COALESCE(p.tx_id, r.tx_id), p.order_id, r.pay_channel
FROM pays p FULL OUTER JOIN receipt_log r ON p.tx_id = r.tx_id;
INSERT INTO timeouts
SELECT c.order_id, IF(p.order_id IS NULL, 'timeout', 'paid')
FROM creates c LEFT JOIN pays p
  ON c.order_id = p.order_id AND p.event_time BETWEEN c.event_time AND c.event_time + INTERVAL '15' MINUTE;
