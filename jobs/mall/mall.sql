-- The eight metrics of the shopping-mall WiFi-probe scenario (seed 000), in the seed's own
-- Blink dialect, corrected where the seed is wrong (see README.md: every change is listed).
-- One job: all INSERTs share the probe stream.

-- ---------------------------------------------------------------- input
-- 顾客WIFI信息
CREATE TABLE user_wifidata (
  id varchar,
  shop_code varchar,        --商店编码
  ap_ip varchar,            --WIFI的ip地址
  occur_time varchar,       --记录时间
  user_device_mac varchar,  --终端mac地址
  rssi varchar,             --接收信号强度
  ap_mac varchar,           --WIFI的MAC地址
  pt varchar,               --pt
  ts_occur_time AS TO_TIMESTAMP_LTZ(CAST(occur_time AS BIGINT), 0),
  WATERMARK FOR ts_occur_time AS withOffset(ts_occur_time, 60000)
) WITH (
  type = 'datahub',
  topic = 'user_wifidata'
);

-- ---------------------------------------------------------------- dimensions
-- 商店维表
CREATE TABLE area_shop (
  id bigint,
  shop_code varchar,        --商店编码
  shop_name varchar,        --商店名
  PRIMARY KEY (shop_code),
  PERIOD FOR SYSTEM_TIME
) WITH (type = 'rds', tableName = 'area_shop');

-- 探测设备可以获取到顾客的位置
CREATE TABLE place_info (
  user_device_mac varchar,  --终端mac地址
  used_x bigint,            --顾客的经度
  used_y bigint,            --顾客的维度
  min_rssi bigint,          --最小的接收信号强度
  PRIMARY KEY (user_device_mac),
  PERIOD FOR SYSTEM_TIME
) WITH (type = 'rds', tableName = 'place_info');

-- 顾客来店记录 (read as a dimension and written by this job)
CREATE TABLE shop_user_record (
  user_device_mac varchar,  --终端mac地址
  first_come_flag varchar,  --是否是第一次来
  first_coming_time varchar,--进店时间
  last_coming_time varchar, --离开时间
  PRIMARY KEY (user_device_mac),
  PERIOD FOR SYSTEM_TIME
) WITH (type = 'ots', tableName = 'shop_user_record');

-- ---------------------------------------------------------------- outputs
CREATE TABLE trading_area_daily_people (
  count_date varchar,       --日期
  people_sum bigint,        --客流量
  primary key (count_date)
) WITH (type = 'rds', tableName = 'trading_area_daily_people');

CREATE TABLE shop_area_daily_people (
  count_date varchar,       --日期
  shop_name varchar,        --商店名
  people_sum bigint,        --客流量
  primary key (count_date, shop_name)
) WITH (type = 'rds', tableName = 'shop_area_daily_people');

CREATE TABLE area_customer_info_allday (
  user_device_mac varchar,  --终端mac地址
  come_time varchar,        --到来的时间
  ap_mac varchar,           --WIFI的MAC地址
  occur_time varchar,       --记录时间
  used_x bigint,            --顾客的经度
  used_y bigint,            --顾客的维度
  first_come_flag varchar,  --是否是第一次
  rssi varchar,             --接收信号强度
  save_time varchar,        --时间
  pt varchar,               --pt
  PRIMARY KEY (user_device_mac)
) WITH (type = 'ots', tableName = 'area_customer_info_allday');

CREATE TABLE customer_info_people_sum (
  people_sum bigint,        --新增顾客人数
  come_time varchar,        --日期
  PRIMARY KEY (come_time)
) WITH (type = 'rds', tableName = 'customer_info_people_sum');

CREATE TABLE shop_user_record_update (
  user_device_mac varchar,
  first_come_flag varchar,
  first_coming_time varchar,
  last_coming_time varchar,
  PRIMARY KEY (user_device_mac)
) WITH (type = 'ots', tableName = 'shop_user_record');

CREATE TABLE top5_shop (
  shop_code varchar,        --商店编码
  shop_name varchar,        --商店名
  date_time varchar,        --日期
  people_sum bigint,        --顾客数量
  shop_rank bigint,
  PRIMARY KEY (date_time, shop_rank)
) WITH (type = 'rds', tableName = 'top5_shop');

CREATE TABLE top1_time (
  count_date varchar,
  start_time timestamp(3),  --时间段
  people_sum bigint,        --顾客数量
  PRIMARY KEY (count_date)
) WITH (type = 'rds', tableName = 'top1_time');

CREATE TABLE favorite_shop (
  user_device_mac varchar,  --终端mac地址
  date_time varchar,        --日期
  shop_code varchar,        --商店编码
  shop_name varchar,        --商店名
  shop_number bigint,       --进店次数
  PRIMARY KEY (user_device_mac, date_time)
) WITH (type = 'rds', tableName = 'favorite_shop');

CREATE TABLE morethanonce_shop (
  user_device_mac varchar,
  date_time varchar,
  shop_code varchar,
  shop_name varchar,
  shop_number bigint,
  PRIMARY KEY (user_device_mac, date_time, shop_code)
) WITH (type = 'rds', tableName = 'morethanonce_shop');

-- ---------------------------------------------------------------- 场景一：客流量统计
-- 1. 每日商场客流量
INSERT INTO trading_area_daily_people
SELECT DATE_FORMAT(data.ts_occur_time, 'yyyy-MM-dd') count_date,
       count(distinct data.user_device_mac)
FROM user_wifidata data
GROUP BY DATE_FORMAT(data.ts_occur_time, 'yyyy-MM-dd');

-- 2. 每日商店的客流量
INSERT INTO shop_area_daily_people
SELECT DATE_FORMAT(data.ts_occur_time, 'yyyy-MM-dd') count_date,
       mas.shop_name,
       count(distinct data.user_device_mac)
FROM user_wifidata data
LEFT OUTER JOIN area_shop FOR SYSTEM_TIME AS OF PROCTIME() mas
  ON data.shop_code = mas.shop_code
GROUP BY DATE_FORMAT(data.ts_occur_time, 'yyyy-MM-dd'), mas.shop_name;

-- 3. 顾客的实时位置: one record per device and second, with its position
CREATE VIEW record_sec (
  user_device_mac, come_time, ap_mac, occur_time, user_loca_x, user_loca_y,
  first_come_flag, rssi, save_time, shop_code, pt
) AS
SELECT data.user_device_mac,
       DATE_FORMAT(TUMBLE_START(data.ts_occur_time, INTERVAL '1' SECOND), 'yyyy-MM-dd HH:mm:ss'),
       data.ap_mac,
       data.occur_time,
       '',
       '',
       '',
       min(data.rssi),
       FROM_UNIXTIME(unix_timestamp()),
       data.shop_code,
       max(data.pt)
FROM user_wifidata data
GROUP BY TUMBLE(ts_occur_time, INTERVAL '1' SECOND), ap_mac, user_device_mac, shop_code, occur_time;

CREATE VIEW view1 AS
SELECT a0.user_device_mac, a0.come_time, a0.ap_mac, a0.occur_time,
       mai.used_x, mai.used_y, a0.first_come_flag, a0.rssi, a0.save_time, a0.pt
FROM record_sec a0
LEFT OUTER JOIN place_info FOR SYSTEM_TIME AS OF PROCTIME() mai
  ON mai.user_device_mac = a0.user_device_mac;

INSERT INTO area_customer_info_allday
SELECT * FROM view1;

-- 4. 每日商场新增顾客人数, and the visit record of every customer
CREATE VIEW view2 AS
SELECT a1.user_device_mac, a1.come_time, a1.ap_mac, a1.occur_time,
       cast(a1.used_x as varchar) as used_x,
       cast(a1.used_y as varchar) as used_y,
       mci.first_come_flag as first_come_flag,
       a1.rssi, a1.save_time, a1.pt,
       mci.first_coming_time,
       mci.last_coming_time
FROM view1 a1
LEFT OUTER JOIN shop_user_record FOR SYSTEM_TIME AS OF PROCTIME() mci
  ON mci.user_device_mac = a1.user_device_mac;

CREATE VIEW record_out AS
SELECT a2.user_device_mac as user_device_mac,
       a2.come_time as come_time,
       a2.occur_time as occur_time,
       a2.ap_mac as ap_mac,
       a2.used_x as used_x,
       a2.used_y as used_y,
       if(a2.first_come_flag is null, '1', '0') as first_come_flag,
       a2.rssi as rssi,
       a2.save_time as save_time,
       a2.pt as pt,
       COALESCE(a2.first_coming_time, a2.come_time) as first_coming_time,
       a2.come_time as last_coming_time
FROM view2 a2;

INSERT INTO shop_user_record_update
SELECT user_device_mac, first_come_flag, first_coming_time, last_coming_time
FROM record_out;

INSERT INTO customer_info_people_sum
SELECT t1.people_sum, t1.come_time
FROM (SELECT count(distinct dt1.user_device_mac) as people_sum,
             DATE_FORMAT(dt1.come_time, 'yyyy-MM-dd') as come_time
      FROM record_out dt1 WHERE dt1.first_come_flag = '1'
      GROUP BY DATE_FORMAT(dt1.come_time, 'yyyy-MM-dd')) t1;

-- 5. 每日商场中顾客数量前5的商店
CREATE VIEW shop_daily AS
SELECT shop_code,
       DATE_FORMAT(data.ts_occur_time, 'yyyy-MM-dd') AS date_time,
       count(distinct user_device_mac) AS people_sum
FROM user_wifidata data
GROUP BY shop_code, DATE_FORMAT(data.ts_occur_time, 'yyyy-MM-dd');

CREATE VIEW top5_view AS
SELECT shop_code, date_time, people_sum, rownum FROM (
  SELECT shop_code, date_time, people_sum,
         ROW_NUMBER() OVER (PARTITION BY date_time ORDER BY people_sum DESC, shop_code) as rownum
  FROM shop_daily)
WHERE rownum <= 5;

INSERT INTO top5_shop
SELECT top5.shop_code, mas.shop_name, top5.date_time, top5.people_sum, top5.rownum
FROM top5_view top5
INNER JOIN area_shop FOR SYSTEM_TIME AS OF PROCTIME() mas
  ON top5.shop_code = mas.shop_code;

-- 6. 每日商场中顾客最多的时间段及顾客数量
CREATE VIEW mall_hourly AS
SELECT TUMBLE_START(ts_occur_time, INTERVAL '1' hour) AS start_time,
       count(distinct user_device_mac) AS people_sum
FROM user_wifidata
GROUP BY TUMBLE(ts_occur_time, INTERVAL '1' hour);

INSERT INTO top1_time
SELECT count_date, start_time, people_sum FROM (
  SELECT DATE_FORMAT(start_time, 'yyyy-MM-dd') AS count_date, start_time, people_sum,
         ROW_NUMBER() OVER (PARTITION BY DATE_FORMAT(start_time, 'yyyy-MM-dd')
                            ORDER BY people_sum DESC, start_time) as rownum
  FROM mall_hourly)
WHERE rownum <= 1;

-- ---------------------------------------------------------------- 场景二：顾客喜好分析
-- 7. 单日顾客最喜欢的商店: the shop where the customer was detected most often that day
CREATE VIEW customer_shop_daily AS
SELECT user_device_mac, shop_code,
       DATE_FORMAT(data.ts_occur_time, 'yyyy-MM-dd') AS date_time,
       count(shop_code) AS shop_number
FROM user_wifidata data
GROUP BY user_device_mac, shop_code, DATE_FORMAT(data.ts_occur_time, 'yyyy-MM-dd');

CREATE VIEW top1_view AS
SELECT user_device_mac, shop_code, date_time, shop_number, rownum FROM (
  SELECT user_device_mac, shop_code, date_time, shop_number,
         ROW_NUMBER() OVER (PARTITION BY user_device_mac, date_time ORDER BY shop_number DESC, shop_code) as rownum
  FROM customer_shop_daily)
WHERE rownum <= 1;

INSERT INTO favorite_shop
SELECT top1.user_device_mac, top1.date_time, top1.shop_code, mas.shop_name, top1.shop_number
FROM top1_view top1
INNER JOIN area_shop FOR SYSTEM_TIME AS OF PROCTIME() mas
  ON top1.shop_code = mas.shop_code;

-- 8. 单日顾客进入超过一次的商店
INSERT INTO morethanonce_shop
SELECT exceed2.user_device_mac, exceed2.date_time, exceed2.shop_code, mas.shop_name, exceed2.shop_number
FROM (SELECT user_device_mac, shop_code, date_time, shop_number
      FROM customer_shop_daily WHERE shop_number >= 2) exceed2
INNER JOIN area_shop FOR SYSTEM_TIME AS OF PROCTIME() mas
  ON exceed2.shop_code = mas.shop_code;
