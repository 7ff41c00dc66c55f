#!/usr/bin/env bash
# Generates a day of channel orders and runs seed 004's GMV job over them.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p out/channel_gmv
rm -f out/channel_gmv/gmv.db out/channel_gmv/gmv.db-wal out/channel_gmv/gmv.db-shm
build/eddy gen channel --out out/channel_gmv --orders "${ORDERS:-20000}"
build/eddy run jobs/channel_gmv/channel_gmv.sql --config jobs/channel_gmv/channel_gmv.conf
sqlite3 -header -column out/channel_gmv/gmv.db "SELECT * FROM trade_channel_collect ORDER BY cur_gmv DESC"
