# callarchive: `make demo` to see it work, `make test` to prove it.
PREFIX ?= /usr/local
SWIFT ?= swift
APT_PACKAGES := libmpg123-dev libsqlite3-dev pkg-config libebur128-dev
TEST_TOOLS := mpg123 sqlite3 curl postgresql-15 chromium chromium-driver sox lame ffmpeg unzip
BENCH_TOOLS := aria2 mpg123 hyperfine time sqlite3 curl python3-venv wrk

.PHONY: demo test build release install deps clean bench reliability dist deb dist-check

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

# The binary (static Swift runtime), its man page and bash/zsh/fish completions, from `make dist`.
install: dist
	stage=$$(ls -d dist/callarchive-*-linux-$$(uname -m) | sort | tail -n 1); \
	install -d $(PREFIX)/bin $(PREFIX)/share/man/man1 $(PREFIX)/share/bash-completion/completions \
	  $(PREFIX)/share/zsh/site-functions $(PREFIX)/share/fish/vendor_completions.d; \
	install -m 0755 $$stage/bin/callarchive $(PREFIX)/bin/callarchive; \
	install -m 0644 $$stage/share/man/man1/callarchive.1 $(PREFIX)/share/man/man1/callarchive.1; \
	install -m 0644 $$stage/share/bash-completion/completions/callarchive $(PREFIX)/share/bash-completion/completions/callarchive; \
	install -m 0644 $$stage/share/zsh/site-functions/_callarchive $(PREFIX)/share/zsh/site-functions/_callarchive; \
	install -m 0644 $$stage/share/fish/vendor_completions.d/callarchive.fish $(PREFIX)/share/fish/vendor_completions.d/callarchive.fish

# Benchmarks (not part of `make test`): the binary `make dist` ships (release, static Swift
# runtime, in .build-dist: 6 ms less start-up than the shared runtime), then bench/run.sh, which
# writes BENCHMARKS.md and bench/results.json. Takes about 15-25 minutes.
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
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-dist --product callarchive
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-dist --product BenchCatalog
	CALLARCHIVE_BIN=$(CURDIR)/.build-dist/release/callarchive bash bench/run.sh
	CALLARCHIVE_BIN=$(CURDIR)/.build-dist/release/callarchive bash reliability/serve.sh --bench

# The reliability suite at full size (not part of `make test`, which runs a short form):
# crash trials, a 2,000-call fault soak, disk full, read-only, 3 processes, bad catalogs, and
# a million fuzz inputs per parser. Prints a table of the figures. About 10 minutes.
reliability: deps
	$(SWIFT) build --build-tests
	$(SWIFT) build -c release --scratch-path .build-release --product Fuzz
	$(SWIFT) build -c release --scratch-path .build-fuzz --product FuzzChecker \
	  -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING -Xswiftc -use-ld=lld
	bash reliability/run.sh
	$(SWIFT) build -c release --scratch-path .build-release --product callarchive
	$(SWIFT) build -c release --scratch-path .build-release --product BenchCatalog
	command -v wrk >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); $$SUDO apt-get install -y -qq wrk python3-venv python3-yaml python3-jsonschema >/dev/null; }
	bash reliability/serve.sh

clean:
	rm -rf .build demo-archive dist

# A release that installs anywhere (docs/operations.md "Release"): dist/callarchive-VERSION-linux-ARCH.tar.gz
# with a --static-swift-stdlib binary, the generated man page and completions; `make deb` packs the
# same tree as a .deb; `make dist-check` unpacks the tarball into an empty prefix and runs it with
# `env -i`. A release build: 15-30 minutes from a clean tree on 2 cores, so not part of `make test`.
dist: deps
	bash release/dist.sh

deb: dist
	bash release/deb.sh

dist-check: deb
	bash release/check-dist.sh
