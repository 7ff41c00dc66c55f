-- Real-time GMV per sales channel (seed 004, Huawei DLI), as the seed writes it: Flink 1.10 /
-- DLI "connector.type" options, double-quoted strings, _UTF16 literals, ROW_NUMBER
-- de-duplication of re-sent orders, and an updating aggregation per channel upserted into
-- MySQL. channel_gmv.conf binds the Kafka topic to a generated JSON file and MySQL to SQLite.
create table trade_order_detail (
  order_id string,      -- Order ID
  order_channel string,   -- Channel
  order_time string,      -- Order creation time
  pay_amount double,     -- Order amount
  real_pay double,     -- Actual payment amount
  pay_time string,      -- Payment time
  user_id string,      -- User ID
  user_name string,      -- Username
  area_id string      -- Region ID
) with (
  "connector.type" = "kafka",
  "connector.version" = "0.10",
  "connector.properties.bootstrap.servers" = "localhost:9092", -- Kafka connection address
  "connector.properties.group.id" = "trade_order",   -- Kafka groupID
  "connector.topic" = "trade_order_detail_info",     -- Kafka topic
  "format.type" = "json",
  "connector.startup-mode" = "latest-offset"
);

--********************************************************************--
-- Result table: trade_channel_collect (real-time statistics on the total sales amount of each channel)
--********************************************************************--
create table trade_channel_collect(
  begin_time string,       --Start time of statistics collection
  channel_code string,      -- Channel ID
  channel_name string,      -- Channel name
  cur_gmv double,         -- GMV
  cur_order_user_count bigint, -- Number of payers
  cur_order_count bigint,    -- Number of orders paid on the day
  last_pay_time string,     -- Latest settlement time
  flink_current_time string,
  primary key (begin_time, channel_code) not enforced
) with (
  "connector.type" = "jdbc",
  "connector.url" = "jdbc:mysql://localhost:3306/dli_demo",     -- MySQL connection address, in JDBC format
  "connector.table" = "trade_channel_collect",            -- MySQL table name
  "connector.driver" = "com.mysql.jdbc.Driver",
  'pwd_auth_name'= 'xxxxx', -- Name of the datasource authentication of the password type created on DLI. If datasource authentication is used, you do not need to set the username and password for the job.
  "connector.write.flush.max-rows" = "1000",
  "connector.write.flush.interval" = "1s"
);

--********************************************************************--
-- Temporary intermediate table
--********************************************************************--
create view tmp_order_detail
as
select *
    , case when t.order_channel not in ("webShop", "appShop", "miniAppShop") then "other"
           else t.order_channel end as channel_code -- Redefine channels. Only four enumeration values are available: webShop, appShop, miniAppShop, and other.
    , case when t.order_channel = "webShop" then _UTF16"Website"
           when t.order_channel = "appShop" then _UTF16"Shopping App"
           when t.order_channel = "miniAppShop" then _UTF16" Miniprogram"
           else _UTF16"Other" end as channel_name -- Channel name
from (
    select *
        , row_number() over(partition by order_id order by order_time desc ) as rn -- Remove duplicate order data
        , concat(substr("2021-03-25 12:03:00", 1, 10), " 00:00:00") as begin_time
        , concat(substr("2021-03-25 12:03:00", 1, 10), " 23:59:59") as end_time
    from trade_order_detail
    where pay_time >= concat(substr("2021-03-25 12:03:00", 1, 10), " 00:00:00") --Obtain the data of the current day. To accelerate running, 2021-03-25 12:03:00 is used to replace cast(LOCALTIMESTAMP as string).
    and real_pay is not null
) t
where t.rn = 1;

-- Collect data statistics by channel.
insert into trade_channel_collect
select
      begin_time  --Start time of statistics collection
    , channel_code
    , channel_name
    , cast(COALESCE(sum(real_pay), 0) as double) as cur_gmv -- GMV
    , count(distinct user_id) as cur_order_user_count -- Number of payers
    , count(1) as cur_order_count -- Number of orders paid on the day
    , max(pay_time) as last_pay_time -- Settlement time
	, cast(LOCALTIMESTAMP as string) as flink_current_time -- Current time of the flink task
from tmp_order_detail
where pay_time >= concat(substr("2021-03-25 12:03:00", 1, 10), " 00:00:00")
group by begin_time, channel_code, channel_name;
