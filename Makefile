PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
GENERATED := src/o2c/v1/engagement_pb2.py
PROTOS := $(wildcard proto/o2c/v1/*.proto)
# Imported protos such as google/type/date.proto: found here, never generated (their Python
# modules come from googleapis-common-protos).
THIRD_PARTY := api/third_party/googleapis
API_IMAGE := api/o2c.v1.binpb
# buf/validate/validate.proto as the installed protovalidate package embeds it (no BSR needed),
# and o2c's protos compiled against it: buf lints and compares this image, not proto/. protoc's
# warnings are fatal because buf cannot see unused imports in an image protoc built.
VALIDATE_DESCRIPTORS := build/protovalidate.binpb
PROTO_IMAGE := build/o2c.v1.binpb
PROTOC := $(PY) -m grpc_tools.protoc -Iproto -I$(THIRD_PARTY) --descriptor_set_in=$(VALIDATE_DESCRIPTORS)
BUF_INPUT := $(PROTO_IMAGE) --path o2c/v1

.PHONY: cluster-test install proto api-release lint test test-unit test-integration test-e2e fuzz run demo demo-vendors bench month-end cluster clean

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

proto: $(GENERATED)

$(VALIDATE_DESCRIPTORS): $(INSTALLED) tools/protovalidate_descriptors.py
	$(PY) tools/protovalidate_descriptors.py $@

$(GENERATED): $(VALIDATE_DESCRIPTORS) $(PROTOS)
	mkdir -p src/o2c/v1
	$(PROTOC) --python_out=src --pyi_out=src --grpc_python_out=src $(PROTOS)
	$(PROTOC) --python_out=src --pyi_out=src buf/validate/validate.proto
	touch src/o2c/__init__.py src/o2c/v1/__init__.py src/o2c/py.typed
	touch src/buf/__init__.py src/buf/validate/__init__.py

$(PROTO_IMAGE): $(VALIDATE_DESCRIPTORS) $(PROTOS)
	$(PROTOC) --fatal_warnings --include_imports --include_source_info --descriptor_set_out=$@ $(PROTOS)

lint: proto $(PROTO_IMAGE)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	$(BIN)/buf lint $(BUF_INPUT)
	$(BIN)/buf breaking $(BUF_INPUT) --against $(API_IMAGE) --exclude-imports
	$(BIN)/lint-imports

# Deliberately releases the API as it is now: later changes must stay compatible with it.
api-release: $(PROTO_IMAGE)
	$(BIN)/buf lint $(BUF_INPUT)
	$(BIN)/buf build $(PROTO_IMAGE) --exclude-source-info -o $(API_IMAGE)

test: proto
	$(BIN)/pytest tests

# The small scale-out run alone: three replicas, three NATS nodes, one replica killed.
cluster-test: proto
	$(BIN)/pytest tests/integration/scale/test_scale_out.py

test-unit: proto
	$(BIN)/pytest tests/unit

test-integration: proto
	$(BIN)/pytest tests/integration

test-e2e: proto
	$(BIN)/pytest tests/e2e

# 100,000 mutated requests per RPC (FUZZ_COUNT); FUZZ_SEED=<seed> replays a run. `make test`
# sends 10,000 across all RPCs.
FUZZ_COUNT ?= 100000
fuzz: proto
	FUZZ_COUNT=$(FUZZ_COUNT) $(BIN)/pytest tests/fuzz/test_fuzz.py -p no:cacheprovider

# Baselines (gRPC echo, COPY, JetStream publish) and o2c measured in one run: prints the table,
# writes var/bench/results.json and var/bench/throughput-latency.png. BENCH_SCALE=smoke|small|full,
# BENCH_CYCLE_SIZES=10000,30000,100000 overrides the billing cycle's sizes, BENCH_PROFILE=1 samples
# the server with py-spy during the unary run (var/bench/unary-profile*.{svg,txt}).
bench: proto
	$(PY) -m bench

# Three replicas on one PostgreSQL and three NATS nodes (JetStream, the stream kept on all
# three), a month-end across them with one replica killed by SIGKILL, and a report of what holds.
# CLUSTER_ENGAGEMENTS x CLUSTER_ENTRIES approvals; O2C_CLUSTER_POSTGRES_URL names the server.
# `make test` runs a small one (tests/integration/scale/test_scale_out.py).
cluster: proto
	$(PY) -m entrypoints.cluster

run: proto
	$(BIN)/o2c serve

demo: proto
	$(BIN)/o2c demo

demo-vendors: proto
	$(BIN)/o2c demo-vendors

# The finalising billing cycle over SIZE staged events and ENGAGEMENTS engagements, seeded by
# COPY into a schema of its own on PostgreSQL (O2C_TEST_POSTGRES_URL): time, events/s, peak RSS,
# and the invariants checked. `make test` runs a small one (test_month_end_chunks.py).
SIZE ?= 1000000
ENGAGEMENTS ?= 10000
CHUNK ?= 200
MONTH_END_URL ?= $(or $(O2C_TEST_POSTGRES_URL),postgresql://postgres@127.0.0.1:5432/test)
month-end: proto
	$(PY) -m entrypoints.month_end --url $(MONTH_END_URL) --size $(SIZE) --engagements $(ENGAGEMENTS) --chunk-size $(CHUNK)

clean:
	rm -rf $(VENV) src/o2c src/buf build var
