# Developer entry points. Every target works on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install test lint bench golden clean bytecode grammar native run install-system

install: $(STAMP) native

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]' --config-settings editable_mode=compat
	$(MAKE) --no-print-directory bytecode
	touch $(STAMP)

# Compile the rewriting engine with mypyc into build/native (mta/util/native.py) unless
# the build there is current; it is used only while every mta source matches it.
native: $(STAMP)
	$(BIN)/python -c 'import sys; from mta.util.native import main; sys.exit(main(["ensure"]))'

# Byte-compile the package (also when PYTHONDONTWRITEBYTECODE is set): start-up time
# is part of every m4compat run.
bytecode:
	$(BIN)/python -m compileall -q m4compat mta >/dev/null 2>&1 || $(BIN)/python -m compileall -q m4compat >/dev/null

# The whole suite runs on the compiled engine; the modules it compiles run again as
# plain Python (MTA_NATIVE=0), the reference the compiled build must match.
test: $(STAMP) native
	$(BIN)/pytest -q
	MTA_NATIVE=0 $(BIN)/pytest -q tests/unit/rules tests/unit/config tests/unit/util tests/unit/smtp \
		tests/unit/queue tests/unit/core tests/unit/deliver tests/diff/test_bt.py

# The daemon with the default etc-mail/ configuration, as this user, in the foreground:
# listener 127.0.0.1:2525, tables in run/mail/ (copied from etc-mail/ once, then yours
# to edit; `make run` rebuilds what is stale), queue in run/queue/ (run every 30
# minutes), local mailboxes in run/spool/ (written by our mail.local), and for
# `sendmail -C run/mail/submit.cf -t` the submission queue run/clientmqueue/. Stop it
# with ^C.
# The -D options for this checkout go into run/mail/mcflags, which the Makefile there and
# `mta restart -C run/mail` both read.
RUNDIR := $(CURDIR)/run
RUN_MCFLAGS := -D MTA_PORT=2525 -D MAIL_SETTINGS_DIR=$(RUNDIR)/mail/ -D QUEUE_DIR=$(RUNDIR)/queue \
	-D confPID_FILE=$(RUNDIR)/sendmail.pid -D MTA_MAIL_LOCAL=$(CURDIR)/$(BIN)/mail.local \
	-D MTA_MAIL_SPOOL=$(RUNDIR)/spool -D MSP_QUEUE_DIR=$(RUNDIR)/clientmqueue
run: $(STAMP) native
	mkdir -p $(RUNDIR)/mail $(RUNDIR)/queue $(RUNDIR)/spool $(RUNDIR)/clientmqueue
	@# run as root, `sendmail -C run/mail/submit.cf` becomes RunAsUser (smmsp), as the
	@# real one does: the submission queue is then smmsp's (mode 2770, as Debian's)
	if [ "$$(id -u)" -eq 0 ] && id smmsp >/dev/null 2>&1; then \
		chown smmsp:smmsp $(RUNDIR)/clientmqueue && chmod 2770 $(RUNDIR)/clientmqueue; fi
	for f in etc-mail/*; do n=$$(basename $$f); [ -e $(RUNDIR)/mail/$$n ] || cp $$f $(RUNDIR)/mail/$$n; done
	[ -e $(RUNDIR)/mail/mcflags ] || echo '$(RUN_MCFLAGS)' > $(RUNDIR)/mail/mcflags
	$(MAKE) --no-print-directory -C $(RUNDIR)/mail BIN=$(CURDIR)/$(BIN)/
	$(BIN)/sendmail -bD -q30m -C $(RUNDIR)/mail/sendmail.cf

# Install as the machine's MTA (run as root; opt-in, never run by the tests on the host):
# a virtualenv in SYSTEM_PREFIX with the package, /usr/sbin/sendmail and its other names
# linked to it (what was there before is kept as NAME.pre-sendmail-py), the files of
# etc-mail/ copied into SYSCONFDIR where they are missing (yours are kept), the queue
# directories, and contrib/systemd/sendmail-py.service. DESTDIR puts it all under
# another root; SYSTEM_VENV=no uses an existing SYSTEM_PREFIX as it is.
SYSTEM_PREFIX ?= /opt/sendmail-py
SYSCONFDIR    ?= /etc/mail
SYSTEM_VENV   ?= yes
SYSTEM_LINKS  := /usr/sbin/sendmail:sendmail /usr/lib/sendmail:sendmail \
	/usr/bin/mailq:mailq /usr/bin/newaliases:newaliases /usr/bin/hoststat:hoststat \
	/usr/bin/purgestat:purgestat /usr/sbin/makemap:makemap /usr/sbin/praliases:praliases \
	/usr/sbin/mta:mta
install-system:
	@[ -n "$(DESTDIR)" ] || [ "$$(id -u)" -eq 0 ] || { echo "make install-system: run it as root" >&2; exit 1; }
	if [ "$(SYSTEM_VENV)" = yes ]; then $(PYTHON) -m venv $(DESTDIR)$(SYSTEM_PREFIX) && \
		$(DESTDIR)$(SYSTEM_PREFIX)/bin/pip install --quiet .; fi
	mkdir -p $(DESTDIR)$(SYSCONFDIR) $(DESTDIR)/var/spool/mqueue $(DESTDIR)/var/spool/clientmqueue
	chmod 0700 $(DESTDIR)/var/spool/mqueue
	@# the submission program runs as smmsp (submit.mc's RunAsUser) when root calls it:
	@# its user, and its queue smmsp:smmsp. Sendmail's sendmail is set-group-ID smmsp so
	@# that anyone may write there; a Python program cannot be, so the queue is open to
	@# all (3777): sticky, so that one may not remove another's files, set-group-ID, so
	@# that they are group smmsp, mode 0660 (QueueFileMode with RunAsUser): read by the
	@# MSP's queue runs, not by other users
	if [ -z "$(DESTDIR)" ] && ! id smmsp >/dev/null 2>&1; then \
		useradd --system --user-group --no-create-home --home-dir /var/spool/clientmqueue \
			--shell /usr/sbin/nologin smmsp; fi
	if id smmsp >/dev/null 2>&1; then chown smmsp:smmsp $(DESTDIR)/var/spool/clientmqueue || true; fi
	chmod 3777 $(DESTDIR)/var/spool/clientmqueue
	for f in etc-mail/*; do n=$$(basename $$f); \
		[ -e $(DESTDIR)$(SYSCONFDIR)/$$n ] || cp $$f $(DESTDIR)$(SYSCONFDIR)/$$n; done
	for pair in $(SYSTEM_LINKS); do link=$(DESTDIR)$${pair%%:*}; \
		target=$(SYSTEM_PREFIX)/bin/$${pair##*:}; mkdir -p $$(dirname $$link); \
		if [ -e $$link -o -L $$link ] && [ "$$(readlink $$link)" != $$target ]; then \
			mv $$link $$link.pre-sendmail-py; fi; \
		ln -sfn $$target $$link; done
	mkdir -p $(DESTDIR)/etc/systemd/system
	sed 's|@PREFIX@|$(SYSTEM_PREFIX)|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		contrib/systemd/sendmail-py.service > $(DESTDIR)/etc/systemd/system/sendmail-py.service
	if [ -z "$(DESTDIR)" ] && command -v systemctl >/dev/null; then systemctl daemon-reload; fi
	$(if $(filter yes,$(SYSTEM_VENV)),$(DESTDIR))$(SYSTEM_PREFIX)/bin/mta check -C $(DESTDIR)$(SYSCONFDIR)

lint: $(STAMP)
	$(BIN)/ruff check m4compat mta tests bench
	$(BIN)/mypy

bench: $(STAMP) bytecode native
	$(BIN)/python bench/m4_bench.py
	$(BIN)/python bench/bt_bench.py
	$(BIN)/python bench/makemap_bench.py
	$(BIN)/python bench/cf_bench.py

# Rebuild the eval parse table shipped with m4compat after editing eval.lark.
grammar: $(STAMP)
	$(BIN)/python -c "from m4compat.builtins.evalexpr import write_shipped_table; write_shipped_table()"

# Regenerate the m4 golden files from GNU m4 (needs /usr/bin/m4, GNU 1.4.19).
golden: $(STAMP)
	$(BIN)/python tests/golden/m4/regen.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
