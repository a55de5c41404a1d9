# Parallax — entry points. The README's quick start names two of them: `make demo` and `make test`.
SWIFT     ?= swift
BUILD_DIR ?= .build
RELEASE    = $(BUILD_DIR)/release
DEBUG      = $(BUILD_DIR)/debug

# Debian packages from DESIGN §9, plus git (the demo's task repositories), libstdc++-12-dev (the static
# libstdc++ of the fully static parallax-agent) and chromium (the HTML report test renders it headless),
# installed only when missing; and the PyPI packages the tests use: jsonschema for the schema checks,
# scipy for the statistics reference values, the official openai and anthropic SDKs for the model-proxy
# acceptance test.
DEB_PACKAGES = libsqlite3-dev libzstd-dev libmicrohttpd-dev libssl-dev libpq-dev pkg-config bubblewrap libfaketime zstd sqlite3 curl openssl git chromium libstdc++-12-dev
PY_PACKAGES  = jsonschema scipy openai anthropic

.PHONY: setup build test demo bench clean

setup:
	@./scripts/setup.sh $(DEB_PACKAGES) -- $(PY_PACKAGES)

# Optimized build: the CLI and the benchmark harness.
build: setup
	$(SWIFT) build -c release --build-path $(BUILD_DIR)

# The whole test suite: Swift tests (debug build, so @testable works) and the JSON Schema checks.
test: setup
	$(SWIFT) build --build-path $(BUILD_DIR) --build-tests
	PARALLAX_BIN=$(abspath $(DEBUG))/parallax $(SWIFT) test --build-path $(BUILD_DIR) --skip-build
	python3 scripts/check_schema_examples.py

demo: build
	@PARALLAX_BIN=$(abspath $(RELEASE))/parallax ./scripts/demo.sh

bench: build
	@$(RELEASE)/parallax-bench

clean:
	rm -rf $(BUILD_DIR)
