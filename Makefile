# eddy build. `make` builds build/eddy; `make test` installs what is missing, builds and runs
# every test (also under ASan/UBSan); `make demo` runs the demo job on generated data.

CC       ?= cc
MAKEFLAGS += --no-print-directory
CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wshadow=local
CPPFLAGS := -Isrc -I/usr/include/postgresql -I/usr/include/mariadb -D_GNU_SOURCE
LDLIBS   := -lsqlite3 -lxxhash -lpcre2-8 -lrdkafka -lpq -lmariadb -lmosquitto -lm -lpthread
DEB_PKGS := build-essential libsqlite3-dev libxxhash-dev libpcre2-dev sqlite3 tzdata bc valgrind clang time \
            librdkafka-dev libpq-dev libmariadb-dev libmosquitto-dev \
            postgresql-15 postgresql-client-15 mariadb-server mariadb-client mosquitto mosquitto-clients

LIB_SRC  := $(filter-out src/cli/main.c,$(wildcard src/*/*.c))
UNIT_SRC := $(wildcard tests/unit/test_*.c)

BUILD    ?= build
OBJ      := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps test unit sqltest benchcheck e2e asan demo demo-live bench bench-joins bench-services clean fuzz
all: $(BUILD)/eddy $(BUILD)/eddy-bench-gen $(BUILD)/hand_written $(BUILD)/eddy-kafka-mock

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -c $< -o $@

$(BUILD)/libeddy.a: $(OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/eddy: $(BUILD)/obj/src/cli/main.o $(BUILD)/libeddy.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/check.h tests/unit/op_testkit.h tests/unit/gen_testkit.h tests/unit/connector_testkit.h $(BUILD)/libeddy.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(WARN) -o $@ $< $(BUILD)/libeddy.a $(LDLIBS)

# Starts librdkafka's mock Kafka cluster on loopback (tests/services/kafka.sh).
$(BUILD)/eddy-kafka-mock: tools/kafka_mock.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $< -lrdkafka -lpthread

$(BUILD)/eddy-bench-gen: bench/gen_user_behavior.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) -o $@ $< -lm

$(BUILD)/hand_written: bench/hand_written.c
	@mkdir -p $(dir $@)
	$(CC) -O2 $(WARN) -o $@ $< -lm

-include $(OBJ:.o=.d)

# Install missing Debian packages (CI and fresh machines run as root).
deps:
	@missing=""; for p in $(DEB_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

unit: $(UNIT_BIN)
	@tests/run_unit.sh $(UNIT_BIN)

$(BUILD)/sql_runner: tests/sql_runner.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -g $(WARN) -o $@ $< -lsqlite3

sqltest: $(BUILD)/eddy $(BUILD)/sql_runner
	@$(BUILD)/sql_runner $(BUILD)/eddy tests/sql/*.test

# The benchmark's generator and hand-written baseline checked against SQLite.
benchcheck: $(BUILD)/eddy-bench-gen $(BUILD)/hand_written
	@BUILD=$(BUILD) bash tests/bench_check.sh

# End-to-end tests against real services (PostgreSQL, MariaDB, mosquitto, the Kafka mock
# cluster) that each test starts on loopback and stops by PID.
e2e: $(BUILD)/eddy $(BUILD)/eddy-kafka-mock
	@BUILD=$(BUILD) EDDY=$(BUILD)/eddy tests/e2e/run.sh

# The whole suite: optimized build, then the same tests under ASan/UBSan.
test: deps
	$(MAKE) all
	$(MAKE) unit sqltest benchcheck e2e
	$(MAKE) asan

asan:
	$(MAKE) BUILD=build/asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" unit sqltest

demo: deps all
	@jobs/demo/run.sh

# The mall jobs live: generated WiFi probes published to mosquitto, eddy reading them over
# MQTT and writing the metrics into PostgreSQL (both servers started on loopback).
demo-live: deps all
	@jobs/mall/live.sh

bench: all
	@bench/run.sh

bench-joins: all
	@bench/run_joins.sh

# Kafka JSON -> eddy -> blackhole, and eddy -> PostgreSQL upserts (servers on loopback).
bench-services: deps all
	@BUILD=$(BUILD) EDDY=$(BUILD)/eddy bench/kafka_json.sh
	@BUILD=$(BUILD) EDDY=$(BUILD)/eddy bench/pg_upsert.sh

# libFuzzer targets (clang): build/fuzz/fuzz_{parser,csv,json,timefmt,changelog,message}; run e.g.
# build/fuzz/fuzz_csv -max_total_time=180 -max_len=4096 CORPUS_DIR
FUZZERS := parser csv json timefmt changelog message
fuzz:
	@mkdir -p build/fuzz
	for f in $(FUZZERS); do \
	  clang $(CPPFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined -o build/fuzz/fuzz_$$f fuzz/fuzz_$$f.c $(LIB_SRC) $(LDLIBS) || exit 1; \
	done

clean:
	rm -rf build
