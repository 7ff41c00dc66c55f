-- The insurance app's three scenarios (seed 002, Alibaba Realtime Compute), in the seed's Blink
-- dialect, corrected where the seed is wrong (README.md lists every change).

-- ================================================================ 場景一：運營數據分析
-- Hourly premium, policies and policy holders from the order stream, each order counted once
-- in its latest version.
CREATE TABLE user_order (
  id bigint comment '用戶id'
  ,order_no varchar comment '訂單號'
  ,order_type bigint comment '訂單類型'
  ,pay_time bigint comment '支付時間'
  ,order_price double comment '訂單價格'
  ,customer_name varchar comment '用戶姓名'
  ,customer_tel varchar comment '用戶電話'
  ,certificate_no varchar comment '證件號碼'
  ,gmt_created bigint comment '創建時間'
  ,gmt_modified bigint comment '修改時間'
  ,account_payble double comment '應付金額'
) WITH (
  type = 'datahub',
  topic = 'user_order'
);

CREATE TABLE hs_order (
  biz_date varchar COMMENT 'yyyymmddhh'
  ,total_premium DOUBLE COMMENT '總保費'
  ,policy_cnt BIGINT COMMENT '保單數'
  ,policy_holder_cnt BIGINT COMMENT '投保人數'
  ,PRIMARY KEY (biz_date)
) WITH (
  type = 'rds',
  tableName = 'adm_pfm_zy_order_gmv_msx_hs'
);

-- 1. 數據清洗: the latest version of every order
create view last_order as
select
  order_no as order_no
  ,last_value(id) as id
  ,last_value(customer_tel) as customer_tel
  ,last_value(gmt_modified) as gmt_modified
  ,last_value(account_payble) as account_payble
from user_order
group by order_no;

-- 2. 數據彙總
insert into hs_order
select
  biz_date
  ,cast(total_premium as double) as total_premium
  ,cast(policy_cnt as bigint) as policy_cnt
  ,cast(policy_holder_cnt as bigint) as policy_holder_cnt
from (
  select
    from_unixtime(cast(gmt_modified/1000 as bigint), 'yyyyMMddHH') as biz_date
    ,sum(coalesce(account_payble, 0)) as total_premium
    ,count(distinct order_no) as policy_cnt
    ,count(distinct customer_tel) as policy_holder_cnt
  from last_order a
  group by from_unixtime(cast(gmt_modified/1000 as bigint), 'yyyyMMddHH')
) a;

-- ================================================================ 場景二：用戶行為監控
-- Key customers whose premium drops by more than 15 % are reported; the dimension table of
-- key customers is updated with every saved change.
create table account_wechat_trace (
  id bigint comment '用戶id'
  ,channel varchar comment '渠道編號'
  ,open_id varchar comment '訂單id'
  ,event varchar comment '事件類型'
  ,now_premium varchar comment '現投保金額'
  ,creator varchar comment '創建人'
  ,modifier varchar comment '最後修改人'
  ,gmt_modified bigint comment '修改時間'
  ,now_info varchar comment '現投保信息'
) with (
  type = 'datahub',
  topic = 'dh_prd_dm_account_wechat_trace'
);

-- 維表 (read by the lookup and written back by this job)
create table raw_info (
  id bigint comment '用戶id'
  ,raw_premium varchar comment '原投保金額'
  ,raw_info varchar comment '原投保信息'
  ,PRIMARY KEY (id)
  ,PERIOD FOR SYSTEM_TIME
) WITH (
  type = 'ots',
  tableName = 'raw_info'
);

create table update_info (
  id bigint comment '用戶id'
  ,raw_info varchar comment '原投保信息'
  ,now_info varchar comment '現投保信息'
  ,raw_premium varchar comment '原投保金額'
  ,now_premium varchar comment '現投保金額'
  ,PRIMARY KEY (id)
) WITH (
  type = 'rds',
  tableName = 'wechat_activity_user'
);

create view info_join as
select
  t1.id as id
  ,t2.raw_info as raw_info
  ,t1.now_info as now_info
  ,t2.raw_premium as raw_premium
  ,t1.now_premium as now_premium
from account_wechat_trace t1
inner join raw_info FOR SYSTEM_TIME AS OF PROCTIME() as t2
on t1.id = t2.id
where t1.event = 'save_success';

insert into update_info
select id, raw_info, now_info, raw_premium, now_premium
from info_join
where cast(now_premium as double) < cast(raw_premium as double) * 0.85;

insert into raw_info
select id, now_premium as raw_premium, now_info as raw_info
from info_join;

-- ================================================================ 場景三：用戶行為分析
-- Each user's last visited page.
create table user_log (
  log_time bigint comment '日誌採集日期(Linux時間)'
  ,device_id varchar comment '設備id'
  ,account_id varchar comment '賬戶id'
  ,bury_point_type varchar comment '頁面類型或埋點類型'
  ,page_name varchar comment '頁面名稱或埋點時一級目錄'
) WITH (
  type = 'datahub',
  topic = 'edw_zy_evt_bury_point_log'
);

create table user_last_log (
  account_id varchar comment 'account_id'
  ,device_id varchar comment '設備id'
  ,bury_point_type varchar comment '頁面類型'
  ,page_name varchar comment '頁面名稱'
  ,primary key (account_id)
) WITH (
  type = 'rds',
  tableName = 'adm_zy_moblie_charge_exchg_rs'
);

insert into user_last_log
select
  account_id
  ,last_value(device_id) as device_id
  ,last_value(bury_point_type) as bury_point_type
  ,last_value(page_name) as page_name
from user_log
where account_id is not null
group by account_id;
