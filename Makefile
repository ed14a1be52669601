# kiemdiem — the two commands are `make run` and `make test`; both install what is missing.
SHELL := /bin/bash
STATE ?= $(CURDIR)/state
SWIFT_FLAGS ?=

.PHONY: deps build release run test check-units deb bench soak fuzz mutate clean

deps:
	@bash deploy/install-deps.sh

# Each build also writes the man pages and shell completion beside the programs (cli-docs/).
build: deps
	swift build $(SWIFT_FLAGS)
	bash deploy/gen-cli-docs.sh $$(swift build --show-bin-path $(SWIFT_FLAGS))

release: deps
	swift build -c release $(SWIFT_FLAGS)
	bash deploy/gen-cli-docs.sh $$(swift build -c release --show-bin-path $(SWIFT_FLAGS))

# Builds release and runs the daemon on the sample bloc and the 2022 plan, on a simulated clock
# at the campaign's opening (state in ./state; delete it to start over).
run: release
	STATE=$(STATE) BIN=$(CURDIR)/.build/release bash deploy/run-sample.sh

# After the Swift suites: the docs' links, README's walkthrough against a real daemon, the
# systemd units, the page in Chromium, the Debian package (lintian; dpkg in a throw-away root).
# The Swift tests' temporary directories (daemons' databases, sockets, spools: thousands of
# them a run) go under one directory per checkout, emptied before the run and removed after a
# run that passes; a failed run's stay there to look at.
TEST_TMP := /tmp/kiemdiem-tests-$(shell echo $(CURDIR) | md5sum | cut -c1-8)

test: deps
	swift build --build-tests $(SWIFT_FLAGS)
	bash deploy/gen-cli-docs.sh $$(swift build --show-bin-path $(SWIFT_FLAGS))
	rm -rf $(TEST_TMP) && mkdir -p $(TEST_TMP)
	TMPDIR=$(TEST_TMP) swift test --skip-build $(SWIFT_FLAGS)
	rm -rf $(TEST_TMP)
	python3 tests/docs/check_links.py
	BIN=$$(swift build --show-bin-path $(SWIFT_FLAGS)) python3 tests/walkthrough/test_readme.py
	BIN=$$(swift build --show-bin-path $(SWIFT_FLAGS)) bash deploy/check-units.sh
	BIN=$$(swift build --show-bin-path $(SWIFT_FLAGS)) python3 tests/browser/test_page.py
	BIN=$$(swift build --show-bin-path $(SWIFT_FLAGS)) bash tests/package/test_deb.sh

# systemd-analyze verify and security on the units (also part of `make test`).
check-units: build
	BIN=$$(swift build --show-bin-path $(SWIFT_FLAGS)) bash deploy/check-units.sh

# The Debian package: dpkg-buildpackage over debian/, a release build with the Swift runtime
# linked in, then lintian (no error allowed); the .deb and lintian.txt go to .build/deb/.
deb: deps
	bash deploy/build-deb.sh

# Release-mode measurements; prints ratios against a raw baseline measured in the same run.
bench: deps
	swift build -c release $(SWIFT_FLAGS)
	bash bench/run.sh $(CURDIR)/.build/release

# libFuzzer on the request decoder and the CSV and YAML importers, FUZZ_SECONDS each (default 60);
# builds in .build-fuzz and prints executions and findings per target.
fuzz: deps
	bash fuzz/run.sh

# A campaign simulated day by day under stress (200 control clients, a worker killed, a full disk,
# a slow subscriber), release build; by default scale 100 through the burst of 18 Nov 2022 (about
# 41,900 events and jobs at one instant) and its drain; never part of `make test`.
soak: deps
	swift build -c release $(SWIFT_FLAGS)
	python3 bench/soak.py --scale $(or $(SOAK_SCALE),100) --days $(or $(SOAK_DAYS),18)

# Deliberate breakages of the sources, one at a time, each against the tests that must catch it
# (mutate/mutations.py); prints the score. Works on a copy in .build-mutate. Not part of `make test`.
mutate: deps
	python3 mutate/run.py

clean:
	rm -rf .build state
