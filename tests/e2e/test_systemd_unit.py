"""The systemd unit as `make install-system` installs it, checked by systemd's own checker.

DESCRIPTION
    `make install-system` into a DESTDIR (never on the host itself), then
    `systemd-analyze verify` on the installed sendmail-py.service. verify
    loads the unit offline, as the service manager would (no PID 1 needed):
    unknown or misspelt settings, bad values, ExecStart=/ExecReload=/ExecStop=
    programs that are not there or not executable (SYSTEM_PREFIX is this
    checkout's venv, so they exist), dependency trouble. It must say nothing
    and exit 0. systemd 252 logs some remarks about the unit only at debug
    level (one is the rewrite of a PIDFile= below the legacy /var/run), so a
    second run at SYSTEMD_LOG_LEVEL=debug must have no line about the unit
    file either ("FILE:LINE: ..." is how systemd words them).

    Documentation=man:sendmail(8) names the page of Sendmail's own package
    (sendmail-bin), which a machine may or may not have, so verify runs with
    --man=no.

    PIDFile= must be the file that `mta start -C /etc/mail` waits for: the
    PidFile of the sendmail.cf made from the installed sendmail.mc, else the
    daemon's default, read as systemd reads it (/var/run is a link to /run).

    Skipped only when systemd-analyze (Debian package systemd) is missing.

SEE ALSO
    contrib/systemd/sendmail-py.service, Makefile (install-system),
    tests/e2e/test_service.py, systemd-analyze(1), systemd.service(5).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import BIN, ETC

from mta.cli.service import daemon_info, regenerate

SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
pytestmark = pytest.mark.skipif(
    SYSTEMD_ANALYZE is None,
    reason="systemd-analyze is not installed (Debian package systemd; .ci/run installs it)")

UNIT = "etc/systemd/system/sendmail-py.service"


@pytest.fixture(scope="module")
def dest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("destdir")
    done = subprocess.run(["make", "-s", "-C", str(ETC.parent), "install-system",
                           f"DESTDIR={root}", f"SYSTEM_PREFIX={BIN.parent}",
                           "SYSTEM_VENV=no"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return root


def _verify(unit: Path, **env: str) -> subprocess.CompletedProcess[str]:
    assert SYSTEMD_ANALYZE is not None
    return subprocess.run([SYSTEMD_ANALYZE, "verify", "--man=no", str(unit)],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env}, stdin=subprocess.DEVNULL)


def test_systemd_analyze_verify_reports_nothing(dest: Path) -> None:
    unit = dest / UNIT
    checked = _verify(unit)
    assert (checked.returncode, checked.stdout + checked.stderr) == (0, "")


def test_no_remark_about_the_unit_even_at_debug_level(dest: Path) -> None:
    unit = dest / UNIT
    checked = _verify(unit, SYSTEMD_LOG_LEVEL="debug")
    assert checked.returncode == 0, checked.stderr
    remarks = [line for line in (checked.stdout + checked.stderr).splitlines()
               if line.startswith(f"{unit}:")]
    assert remarks == []


def _systemd_path(path: Path) -> Path:
    """path as systemd reads it: /var/run/... is /run/..."""
    text = str(path)
    return Path("/run/" + text[len("/var/run/"):]) if text.startswith("/var/run/") else path


def test_pid_file_is_the_one_the_daemon_writes(dest: Path, tmp_path: Path) -> None:
    lines = (dest / UNIT).read_text().splitlines()
    pid_file = [line.split("=", 1)[1] for line in lines if line.startswith("PIDFile=")]
    assert len(pid_file) == 1
    # the .cf that `mta start -C /etc/mail` would make, in a copy of the installed tree
    directory = tmp_path / "mail"
    shutil.copytree(dest / "etc/mail", directory)
    plan = regenerate(directory, force=True)
    assert plan.errors == []
    plan.commit()
    written = daemon_info(directory).pid_file
    assert written is not None
    assert _systemd_path(written) == _systemd_path(Path(pid_file[0]))
