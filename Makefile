# bolsillo — a real container engine for learning Docker in Spanish.
#
#   sudo make demo    build, start bolsillod, create the offline busybox image, run a short tour
#   sudo make test    install what the tests need, build, run every test
#   sudo make bench   time bolsillo against runc (and Docker, when a Docker daemon answers)

GO       ?= go
BIN      := bin
PREFIX   ?= /usr/local
DATA_ROOT ?= /var/lib/bolsillo
SOCK     ?= /run/bolsillo.sock
HOST     := unix://$(SOCK)
LDFLAGS  := -s -w
GOFLAGS_BUILD := -trimpath -ldflags '$(LDFLAGS)'
# Every binary is static: each `bolsillo` command, and each process
# libcontainer starts from bolsillod for a container or an exec, then starts
# without the dynamic loader, and bolsillod runs on a machine without
# libseccomp installed. The CLI binaries link no C. bolsillod needs cgo
# (libseccomp, libcontainer's nsenter) and links libseccomp.a and glibc in.
# In all of them os/user reads users and groups from /etc/passwd and
# /etc/group only (no NSS modules such as LDAP), and host names resolve with
# Go's own resolver.
NOCGO    := CGO_ENABLED=0
DAEMON_BUILD := -trimpath -ldflags '$(LDFLAGS) -extldflags=-static' -tags 'seccomp netgo osusergo'

# Debian packages: the static busybox that `bolsillo lab init` turns into an image,
# gcc and libc6-dev for libcontainer's nsenter (cgo), libseccomp-dev (libseccomp.a) and
# pkg-config for the seccomp filters (bolsillod is built with -tags seccomp), docker-registry (CNCF distribution 2.8) for the
# interoperability tests; runc only to compare against in `make bench`.
APT_PACKAGES := busybox-static gcc libc6-dev libseccomp-dev pkg-config docker-registry iptables tmux

.PHONY: all build deps test test-unit test-e2e fuzz lint demo bench install uninstall daemon stop-daemon clean

all: build

build:
	$(GO) build $(DAEMON_BUILD) -o $(BIN)/bolsillod ./cmd/bolsillod
	$(NOCGO) $(GO) build $(GOFLAGS_BUILD) -o $(BIN)/bolsillo ./cmd/bolsillo
	$(NOCGO) $(GO) build $(GOFLAGS_BUILD) -o $(BIN)/bolsillo-render ./cmd/bolsillo-render
	$(NOCGO) $(GO) build $(GOFLAGS_BUILD) -o $(BIN)/bolsillo-registry ./cmd/bolsillo-registry

# deps installs only what is missing, so it is cheap on a prepared machine.
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "instalando:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
	@command -v $(GO) >/dev/null || { echo "falta Go 1.26.8: https://go.dev/dl/"; exit 1; }
	$(GO) mod download

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

# Unit and root tests of every package, then the end-to-end suite, which
# starts its own daemons on temporary data roots and sockets and drives them
# with bolsillo and the real docker CLI. Finally: nothing may be left behind.
test: deps build lint
	$(GO) test -race -count=1 -timeout 10m -tags seccomp ./...
	@$(MAKE) --no-print-directory fuzz FUZZTIME=200x
	./internal/e2e/leftovers.sh

# fuzz runs every fuzz target of the parsers of outside input, one at a
# time, for FUZZTIME each (a duration, or Nx for N inputs); `make test` runs
# 200 inputs of each: a count, not a time, so a slow input near the end
# cannot trip the fuzzer's own deadline.
FUZZTIME ?= 60s
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzParseFilters$$' -fuzztime=$(FUZZTIME) ./engine/server
	$(GO) test -run='^$$' -fuzz='^FuzzParseDetachKeys$$' -fuzztime=$(FUZZTIME) ./engine/server
	$(GO) test -run='^$$' -fuzz='^FuzzCreateRequest$$' -fuzztime=$(FUZZTIME) ./engine
	$(GO) test -run='^$$' -fuzz='^FuzzNormalizeRef$$' -fuzztime=$(FUZZTIME) ./engine/image
	$(GO) test -run='^$$' -fuzz='^FuzzParseNormalizedNamed$$' -fuzztime=$(FUZZTIME) ./internal/imageref
	$(GO) test -run='^$$' -fuzz='^FuzzUnpack$$' -fuzztime=$(FUZZTIME) ./engine/layer
	$(GO) test -run='^$$' -fuzz='^FuzzExtractContext$$' -fuzztime=$(FUZZTIME) ./engine/build
	$(GO) test -run='^$$' -fuzz='^FuzzDockerignore$$' -fuzztime=$(FUZZTIME) ./engine/build
	$(GO) test -run='^$$' -fuzz='^FuzzParseDockerfile$$' -fuzztime=$(FUZZTIME) ./engine/build
	$(GO) test -run='^$$' -fuzz='^FuzzParseCPUSet$$' -fuzztime=$(FUZZTIME) ./engine/container
	$(GO) test -run='^$$' -fuzz='^FuzzResolvePath$$' -fuzztime=$(FUZZTIME) ./engine/container
	$(GO) test -run='^$$' -fuzz='^FuzzExtractArchive$$' -fuzztime=$(FUZZTIME) ./engine/container
	$(GO) test -run='^$$' -fuzz='^FuzzCreate$$' -fuzztime=$(FUZZTIME) ./engine/container
	$(GO) test -run='^$$' -fuzz='^FuzzLoadFS$$' -fuzztime=$(FUZZTIME) ./lessons

demo: deps build
	@./internal/demo/demo.sh "$(CURDIR)/$(BIN)" "$(HOST)" "$(DATA_ROOT)"

bench: deps build
	@command -v runc >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq runc; }
	$(GO) run ./internal/bench -bin "$(CURDIR)/$(BIN)"

# daemon starts bolsillod in the background on the default socket, unless one answers.
daemon: build
	@./internal/demo/daemon.sh start "$(CURDIR)/$(BIN)" "$(HOST)" "$(DATA_ROOT)"

stop-daemon:
	@./internal/demo/daemon.sh stop "$(CURDIR)/$(BIN)" "$(HOST)" "$(DATA_ROOT)"

install: build
	install -D -m 0755 $(BIN)/bolsillo $(DESTDIR)$(PREFIX)/bin/bolsillo
	install -D -m 0755 $(BIN)/bolsillod $(DESTDIR)$(PREFIX)/bin/bolsillod
	install -D -m 0755 $(BIN)/bolsillo-render $(DESTDIR)$(PREFIX)/bin/bolsillo-render
	install -D -m 0755 $(BIN)/bolsillo-registry $(DESTDIR)$(PREFIX)/bin/bolsillo-registry
	getent group bolsillo >/dev/null || groupadd --system bolsillo
	sed -e 's|@BINDIR@|$(PREFIX)/bin|g' -e 's|@DATA_ROOT@|$(DATA_ROOT)|g' internal/demo/bolsillod.service > $(BIN)/bolsillod.service
	install -D -m 0644 $(BIN)/bolsillod.service $(DESTDIR)/etc/systemd/system/bolsillod.service
	@echo "instalado: ahora 'sudo systemctl daemon-reload && sudo systemctl start bolsillod'"

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/bolsillo $(DESTDIR)$(PREFIX)/bin/bolsillod $(DESTDIR)$(PREFIX)/bin/bolsillo-render \
		$(DESTDIR)$(PREFIX)/bin/bolsillo-registry \
		$(DESTDIR)/etc/systemd/system/bolsillod.service

clean:
	rm -rf $(BIN)
