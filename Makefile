# Parallax — entry points. The README's quick start names two of them: `make demo` and `make test`.
SWIFT      ?= swift
BUILD_DIR  ?= .build
CONFIG     ?= release
SWIFTFLAGS ?= -c $(CONFIG) --build-path $(BUILD_DIR)
BIN         = $(BUILD_DIR)/$(CONFIG)

# Debian packages from DESIGN §9 (installed only when missing) and the PyPI package the schema tests use.
DEB_PACKAGES = libsqlite3-dev libzstd-dev libmicrohttpd-dev libssl-dev libpq-dev pkg-config bubblewrap libfaketime zstd sqlite3
PY_PACKAGES  = jsonschema

.PHONY: setup build test demo bench clean

setup:
	@./scripts/setup.sh $(DEB_PACKAGES) -- $(PY_PACKAGES)

build: setup
	$(SWIFT) build $(SWIFTFLAGS)

test: build
	$(SWIFT) build $(SWIFTFLAGS) --build-tests
	PARALLAX_BIN=$(abspath $(BIN))/parallax $(SWIFT) test $(SWIFTFLAGS) --skip-build --parallel --num-workers 2
	python3 scripts/check_schema_examples.py

demo: build
	@PARALLAX_BIN=$(abspath $(BIN))/parallax ./scripts/demo.sh

bench: build
	@$(BIN)/parallax-bench

clean:
	rm -rf $(BUILD_DIR)
