"""Real programs that hand mail to `sendmail`: bsd-mailx, git send-email, cron, PHP.

DESCRIPTION
    Each client is pointed at a wrapper script that runs our sendmail with
    the test site's .cf and DeliveryMode queue (as /usr/sbin/sendmail would
    run with /etc/mail), and the queue file our sendmail wrote is read back:
    the recipients and the header fields the client meant. The clients come
    from Debian (bsd-mailx, git-email; .ci/run installs them); cron's and
    PHP's calls are the command lines they use (Debian cron: -FCronDaemon -i
    -B8BITMIME -oem USER; PHP's mail(): sendmail -t -i).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import BIN, build_site

from mta.queue.qfformat import QueueEnvelope, parse_qf

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from dnsserver import DnsServer

ZONE = {("example.net", "MX"): ["10 mx.example.net."], ("mx.example.net", "A"): ["192.0.2.7"]}


@dataclass
class Site:
    queue: Path
    wrapper: Path
    env: dict[str, str]

    def envelopes(self) -> list[QueueEnvelope]:
        return [parse_qf(p.read_bytes(), qid=p.name[2:]) for p in sorted(self.queue.rglob("qf*"))]

    def header(self, envelope: QueueEnvelope, name: str) -> str:
        values = [h.message_value().decode("latin-1").strip() for h in envelope.headers
                  if h.name.lower() == name.lower()]
        return values[0] if values else ""


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    cf, queue, _port = build_site(tmp_path)
    wrapper = tmp_path / "sendmail"
    wrapper.write_text(f'#!/bin/sh\nexec {BIN / "sendmail"} -C {cf} -odq "$@"\n')
    wrapper.chmod(0o755)
    with DnsServer(ZONE) as dns:
        env = {**os.environ, "MTA_NAMESERVER": f"127.0.0.1:{dns.port}", "HOME": str(tmp_path)}
        yield Site(queue, wrapper, env)


def test_bsd_mailx(site: Site, tmp_path: Path) -> None:
    if shutil.which("bsd-mailx") is None:
        pytest.skip("bsd-mailx is not installed (.ci/run installs it)")
    rc = tmp_path / "mailrc"
    rc.write_text(f"set sendmail={site.wrapper}\n")
    done = subprocess.run(["bsd-mailx", "-s", "from mailx", "-c", "carol@example.net",
                           "bob@example.net"], input="Hello from mailx.\n", text=True,
                          capture_output=True, timeout=60, env={**site.env, "MAILRC": str(rc)})
    assert done.returncode == 0, done.stderr
    (envelope,) = site.envelopes()
    assert sorted(r.address for r in envelope.recipients) == \
        ["bob@example.net", "carol@example.net"]
    assert site.header(envelope, "Subject") == "from mailx"
    assert site.header(envelope, "To") == "bob@example.net"


def test_git_send_email(site: Site, tmp_path: Path) -> None:
    done = subprocess.run(["git", "send-email", "--help"], capture_output=True, timeout=60)
    if done.returncode != 0:
        pytest.skip("git send-email is not installed (.ci/run installs git-email)")
    repo = tmp_path / "repo"
    repo.mkdir()
    git_env = {**site.env, "GIT_AUTHOR_NAME": "Ann Author", "GIT_AUTHOR_EMAIL":
               "ann@example.net", "GIT_COMMITTER_NAME": "Ann Author",
               "GIT_COMMITTER_EMAIL": "ann@example.net", "GIT_CONFIG_NOSYSTEM": "1"}

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True,
                              timeout=60, env=git_env, check=True)

    git("init", "-q")
    (repo / "file.txt").write_text("one\n")
    git("add", "file.txt")
    git("commit", "-q", "-m", "Add a file")
    git("format-patch", "-1", "-o", str(tmp_path / "patches"))
    (patch,) = (tmp_path / "patches").glob("*.patch")
    git("send-email", f"--sendmail-cmd={site.wrapper}", "--to=list@example.net",
        "--from=Ann Author <ann@example.net>", "--confirm=never", "--suppress-cc=all",
        "--quiet", str(patch))
    (envelope,) = site.envelopes()
    assert [r.address for r in envelope.recipients] == ["list@example.net"]
    assert site.header(envelope, "Subject") == "[PATCH] Add a file"
    assert site.header(envelope, "From") == "Ann Author <ann@example.net>"


def test_cron_and_php_command_lines(site: Site) -> None:
    cron = subprocess.run([str(site.wrapper), "-FCronDaemon", "-i", "-B8BITMIME", "-oem",
                           "root"], input=b"Subject: Cron <root@host> job\n\noutput\n",
                          capture_output=True, timeout=60, env=site.env)
    assert (cron.returncode, cron.stdout, cron.stderr) == (0, b"", b"")
    php = subprocess.run([str(site.wrapper), "-t", "-i"],
                         input=b"To: bob@example.net\nSubject: php\n\n. a dot line\n",
                         capture_output=True, timeout=60, env=site.env)
    assert (php.returncode, php.stdout, php.stderr) == (0, b"", b"")
    by_subject = {site.header(e, "Subject"): e for e in site.envelopes()}
    job = by_subject["Cron <root@host> job"]
    assert [r.address for r in job.recipients] == ["root"]
    assert site.header(job, "From") == "CronDaemon <root>"
    assert job.body_type == "7BIT"  # -B8BITMIME on 7-bit text, as Sendmail records it
    assert [r.address for r in by_subject["php"].recipients] == ["bob@example.net"]
