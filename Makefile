# SPDX-License-Identifier: BSD-3-Clause
# A thin wrapper: dependencies (Debian packages), meson, and the test summary.
BUILD ?= build

.PHONY: all deps build test demo sim-demo bench soak coverage clean

all: build

deps:
	@./scripts/install-deps.sh

build: deps
	@./scripts/build.sh $(BUILD)

test: deps
	@./scripts/run-tests.sh $(BUILD)

# A real five-node cluster in network namespaces (root): crash -> callback latency.
demo: build
	@./scripts/demo.sh $(BUILD)

# The same story in the deterministic simulator (no root needed).
sim-demo: build
	@$(BUILD)/tools/sim/tally-sim --narrate tools/sim/demo-failover.scn

# The quick benchmark set (under 10 minutes): tables in bench-results/<time>/.
bench: build
	@./scripts/bench-quick.sh $(BUILD)

# 30 minutes, 5 nodes, CPU load and 1 % loss, a fault a minute (root; not in `make test`).
soak: build
	@./scripts/soak.sh $(BUILD)

coverage: deps
	@./scripts/coverage.sh build-coverage

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BUILD)-fuzz build-coverage
