-- Order/receipt reconciliation (seed 001, course module OrderPayDetect: TxMatch): every pay
-- event of the order log matched with the payment platform's receipt of the same transaction
-- id. Pays without a receipt and receipts without a pay show up with the other side NULL.
-- The course matches the two streams with a CoProcessFunction and timers; this is a full
-- outer join (an updating result, upserted by transaction id).
CREATE TABLE order_log (
  order_id   BIGINT,
  event_type STRING,
  tx_id      STRING,
  ts         BIGINT
) WITH (
  'connector' = 'filesystem',
  'path' = '../shared/data/shangguigu-userbehavior/OrderLog.csv',
  'format' = 'csv'
);

CREATE TABLE receipt_log (
  tx_id       STRING,
  pay_channel STRING,
  ts          BIGINT
) WITH (
  'connector' = 'filesystem',
  'path' = '../shared/data/shangguigu-userbehavior/ReceiptLog.csv',
  'format' = 'csv'
);

CREATE TABLE reconciliation (
  tx_id       STRING,
  order_id    BIGINT,
  pay_channel STRING,
  status      STRING COMMENT 'matched | no receipt | no pay',
  PRIMARY KEY (tx_id) NOT ENFORCED
) WITH ('connector' = 'jdbc', 'url' = 'jdbc:sqlite:out/ecommerce.db', 'table-name' = 'reconciliation');

INSERT INTO reconciliation
SELECT COALESCE(p.tx_id, r.tx_id), p.order_id, r.pay_channel,
       CASE WHEN p.tx_id IS NULL THEN 'no pay' WHEN r.tx_id IS NULL THEN 'no receipt' ELSE 'matched' END
FROM (SELECT * FROM order_log WHERE event_type = 'pay') p
FULL OUTER JOIN receipt_log r ON p.tx_id = r.tx_id;
