#!/usr/bin/env bash
# gen_kafka.sh - `eddy gen marketing --to kafka://...` publishes its five streams to a Kafka
# cluster (librdkafka's mock, tests/services/kafka.sh): each topic holds exactly the lines of
# its generated file, in event-time order (no --disorder, one partition), one record per line;
# --topic and --topic-prefix rename topics; --disorder keeps every record within its bound;
# a dead address is an error naming it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
EDDY=${EDDY:-$root/build/eddy}
BUILD=${BUILD:-$root/build}
MOCK=${KAFKA_MOCK:-$BUILD/eddy-kafka-mock}
tmp=${TMPDIR:-/tmp}
svc=$tmp/kafka
services=$root/tests/services/kafka.sh

[ -x "$EDDY" ] || { echo "gen_kafka: $EDDY is not built"; exit 77; }
[ -x "$MOCK" ] || { echo "gen_kafka: $MOCK is not built (make $MOCK)"; exit 77; }
[ -f "$services" ] || { echo "gen_kafka: $services is missing"; exit 77; }
export KAFKA_MOCK=$MOCK

trap 'bash "$services" stop "$svc" || true' EXIT

streams=(app_marketing ad_clicks logins orders receipts)
topics=(app_marketing ad_click_log login_log order_log receipt_log)
time_column=(4 5 4 4 3)
specs=()
for t in "${topics[@]}"; do specs+=("$t:1" "p_$t:1"); done
specs+=(p_payments:1 disordered:1)
addr=$(bash "$services" start "$svc" "${specs[@]}")

opts=(--events 2000 --ad-clicks 1000 --logins 300 --orders 300 --seed 9)
"$EDDY" gen marketing "${opts[@]}" --out "$tmp/files" --quiet

# All five streams, each to the topic its job reads.
"$EDDY" gen marketing "${opts[@]}" --to "kafka://$addr" 2>"$tmp/summary"
total=0
for i in "${!streams[@]}"; do
  s=${streams[$i]} t=${topics[$i]} c=${time_column[$i]}
  "$MOCK" --consume "$addr" "$t" >"$tmp/$t.got"
  n=$(wc -l <"$tmp/files/$s.csv")
  total=$((total + n))
  sort "$tmp/$t.got" | cmp -s - <(sort "$tmp/files/$s.csv") ||
    { echo "gen_kafka: topic $t holds $(wc -l <"$tmp/$t.got") records, not the $n lines of $s.csv"; exit 1; }
  awk -F, -v c="$c" 'NR > 1 && $c < last { bad++ } { last = $c } END { exit bad > 0 }' "$tmp/$t.got" ||
    { echo "gen_kafka: topic $t out of event-time order"; exit 1; }
  grep -q "marketing: $s: $n events to topic $t in" "$tmp/summary" ||
    { echo "gen_kafka: no summary line for $s:"; cat "$tmp/summary"; exit 1; }
done
grep -q "marketing: $total events to kafka://$addr in" "$tmp/summary" ||
  { echo "gen_kafka: unexpected total:"; cat "$tmp/summary"; exit 1; }

# Two streams, renamed and prefixed.
"$EDDY" gen marketing "${opts[@]}" --streams orders,receipts --topic receipts=payments --topic-prefix p_ \
  --to "kafka://$addr" --quiet
"$MOCK" --consume "$addr" p_order_log | cmp -s - "$tmp/order_log.got" || { echo "gen_kafka: p_order_log differs"; exit 1; }
"$MOCK" --consume "$addr" p_payments | cmp -s - "$tmp/receipt_log.got" || { echo "gen_kafka: p_payments differs"; exit 1; }
[ -z "$("$MOCK" --consume "$addr" p_app_marketing)" ] || { echo "gen_kafka: an unchosen stream was published"; exit 1; }

# Disorder: ad clicks (epoch seconds in column 5) at most 10 s behind an earlier record, some late.
"$EDDY" gen marketing "${opts[@]}" --streams ad_clicks --topic disordered --disorder 10s --to "kafka://$addr" --quiet
"$MOCK" --consume "$addr" disordered >"$tmp/disordered"
awk -F, '{ if ($5 < max) { late++; if (max - $5 > worst) worst = max - $5 } if ($5 > max) max = $5 }
         END { if (late < 10 || worst > 10) { print "late " late ", worst " worst; exit 1 } }' "$tmp/disordered" ||
  { echo "gen_kafka: disorder not within 10 s or absent"; exit 1; }

# A stopped cluster: the error names the address.
bash "$services" stop "$svc"
if "$EDDY" gen channel --orders 3 --to "kafka://$addr" 2>"$tmp/refused"; then
  echo "gen_kafka: publishing to a stopped cluster succeeded"; exit 1
fi
grep -q "cannot connect to Kafka at $addr" "$tmp/refused" || { echo "gen_kafka: unexpected error:"; cat "$tmp/refused"; exit 1; }
echo "gen_kafka: $total records on 5 topics in event-time order"
