# callarchive: `make demo` to see it work, `make test` to prove it.
PREFIX ?= /usr/local
SWIFT ?= swift
APT_PACKAGES := libmpg123-dev libsqlite3-dev pkg-config libebur128-dev
TEST_TOOLS := mpg123 sqlite3 curl postgresql-15 sox lame ffmpeg unzip
BENCH_TOOLS := aria2 mpg123 hyperfine time sqlite3 curl python3-venv

.PHONY: demo test build release install deps clean bench reliability

# Installs the system libraries when missing (Debian/Ubuntu; on macOS: brew install mpg123), and
# PostgreSQL 15, whose throw-away server the tests start in a temporary directory (never the system cluster).
deps:
	@missing=""; \
	for p in $(APT_PACKAGES) $(TEST_TOOLS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "installing:$$missing"; \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	  elif [ "$$(uname)" = Darwin ]; then \
	    pkg-config --exists libmpg123 || { echo "run: brew install mpg123"; exit 1; }; \
	  else echo "please install:$$missing"; exit 1; fi; \
	fi

build: deps
	$(SWIFT) build

demo: build
	rm -rf demo-archive
	$(SWIFT) run callarchive demo --archive demo-archive

# Tests run one at a time: many start the binary, decode files or spawn processes, and the
# in-process simulator answers on the same 2-thread Swift concurrency pool, which parallel
# tests could starve for tens of seconds on a 2-core machine. Serial is no slower here (~3 min).
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel

release: deps
	$(SWIFT) build -c release

install: release
	install -d $(PREFIX)/bin
	install -m 0755 "$$($(SWIFT) build -c release --show-bin-path)/callarchive" $(PREFIX)/bin/callarchive

# Benchmarks (not part of `make test`): release build in .build-release, then bench/run.sh,
# which writes BENCHMARKS.md and bench/results.json. Takes about 10-15 minutes.
bench: deps
	@missing=""; \
	for p in $(BENCH_TOOLS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "installing:$$missing"; \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	  else echo "please install:$$missing"; exit 1; fi; \
	fi
	$(SWIFT) build -c release --scratch-path .build-release
	bash bench/run.sh

# The reliability suite at full size (not part of `make test`, which runs a short form):
# crash trials, a 2,000-call fault soak, disk full, read-only, 3 processes, bad catalogs, and
# a million fuzz inputs per parser. Prints a table of the figures. About 10 minutes.
reliability: deps
	$(SWIFT) build --build-tests
	$(SWIFT) build -c release --scratch-path .build-release --product Fuzz
	$(SWIFT) build -c release --scratch-path .build-fuzz --product FuzzChecker \
	  -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING -Xswiftc -use-ld=lld
	bash reliability/run.sh

clean:
	rm -rf .build demo-archive
