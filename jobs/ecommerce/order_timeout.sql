-- Order payment timeout (seed 001, course module OrderPayDetect): an order created and not
-- paid within 15 minutes times out. The course uses CEP with a timeout side output; here an
-- interval LEFT JOIN of creates to pays: an order without a pay in its 15 minutes comes out
-- NULL-padded as soon as the watermark passes its deadline.
SET 'table.local-time-zone' = 'Asia/Shanghai';

CREATE TABLE order_log (
  order_id   BIGINT,
  event_type STRING COMMENT 'create | pay',
  tx_id      STRING,
  ts         BIGINT COMMENT 'epoch seconds',
  event_time AS TO_TIMESTAMP_LTZ(ts, 0),
  WATERMARK FOR event_time AS event_time - INTERVAL '6' SECOND
) WITH (
  'connector' = 'filesystem',
  'path' = '../shared/data/shangguigu-userbehavior/OrderLog.csv',
  'format' = 'csv'
);

CREATE TABLE order_pay_result (
  order_id   BIGINT,
  status     STRING COMMENT 'paid | timeout',
  created    TIMESTAMP(3),
  paid       TIMESTAMP(3),
  PRIMARY KEY (order_id) NOT ENFORCED
) WITH ('connector' = 'jdbc', 'url' = 'jdbc:sqlite:out/ecommerce.db', 'table-name' = 'order_pay_result');

CREATE VIEW creates AS SELECT order_id, event_time FROM order_log WHERE event_type = 'create';
CREATE VIEW pays AS SELECT order_id, event_time FROM order_log WHERE event_type = 'pay';

INSERT INTO order_pay_result
SELECT c.order_id, IF(p.order_id IS NULL, 'timeout', 'paid'),
       CAST(c.event_time AS TIMESTAMP(3)), CAST(p.event_time AS TIMESTAMP(3))
FROM creates c
LEFT JOIN pays p
  ON c.order_id = p.order_id
 AND p.event_time BETWEEN c.event_time AND c.event_time + INTERVAL '15' MINUTE;
