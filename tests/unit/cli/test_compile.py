"""Unit tests of `mta compile`: the command in a subprocess, and main()/compile_mc() in process.

The path mapping is tested with a small fixture library (main's library
parameter), so that it does not depend on the contents of m4compat/cf; the
tests at the end compile a minimal .mc and the etc-mail tree with the
package's own library and load the result with our .cf loader (they check
that it loads cleanly, not what the library writes).
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from mta.cli import main as mta_main
from mta.cli.compile import (
    LIBRARY_DIR,
    CompileError,
    _Messages,
    compile_mc,
    library_resolver,
    main,
)

MTA = Path(sys.executable).parent / "mta"
REPO_ROOT = Path(__file__).resolve().parents[3]

# A fixture library in the layout of m4compat/cf (CONVENTIONS.md): cf.m4 finds its
# own directory from __file__, loads features from there and fails at the end
# (m4exit(1)) after an error, as our library does.
FIXTURE_CF_M4 = """\
divert(-1)
define(`_CF_DIR_', substr(__file__, 0, eval(len(__file__) - 8)))
define(`_CF_ERROR', `errprint(__file__:__line__: `$1'
)define(`_CF_FAILED')')
define(`_CF_WARNING', `errprint(__file__:__line__: warning: `$1'
)')
define(`FEATURE', `define(`_CF_LOADED_')undefine(`_CF_LOADED_')dnl
sinclude(_CF_DIR_`feature/$1.m4')ifdef(`_CF_LOADED_', `',
`_CF_ERROR(`unknown FEATURE `$1'')')')
m4wrap(`ifdef(`_CF_FAILED', `m4exit(1)')')
divert(0)dnl
ours cf.m4
"""
FIXTURE_FEATURE = """\
divert(-1)define(`_CF_LOADED_')
divert(0)dnl
ours feature $1 in substr(__file__, len(_CF_DIR_))
divert(-1)
"""
# What a real sendmail-cf would say, wherever the tests put one.
REAL_TREE_CF_M4 = "the REAL cf.m4\n"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    lib = tmp_path / "lib"
    (lib / "m4").mkdir(parents=True)
    (lib / "feature").mkdir()
    (lib / "m4" / "cf.m4").write_text(FIXTURE_CF_M4)
    (lib / "feature" / "access_db.m4").write_text(FIXTURE_FEATURE.replace("$1", "access_db"))
    (lib / "feature" / "warn.m4").write_text(
        "divert(-1)define(`_CF_LOADED_')_CF_WARNING(`deprecated')\n"
    )
    return lib


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "work"
    directory.mkdir()
    monkeypatch.chdir(directory)
    monkeypatch.delenv("M4PATH", raising=False)
    return directory


def run(
    *args: str, cwd: Path, stdin: bytes = b"", env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """Run the installed `mta` console script."""
    environ = {k: v for k, v in os.environ.items() if k != "M4PATH"} | (env or {})
    proc = subprocess.run(
        [str(MTA), *args], input=stdin, capture_output=True, cwd=cwd, env=environ, check=False
    )
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def call(
    capsys: pytest.CaptureFixture[str], *args: str, library: Path | None = None
) -> tuple[int, str, str]:
    """Run main() in process."""
    status = main(list(args), library=str(library) if library else LIBRARY_DIR)
    out, err = capsys.readouterr()
    return status, out, err


# --- the command, as a process -------------------------------------------------


def test_stdout_with_defines_before_the_file(work: Path) -> None:
    (work / "x.mc").write_text("ifdef(`FLAG', `flag', `none') port=MTA_PORT empty=[EMPTY]\n")
    status, out, err = run("compile", "-D", "MTA_PORT=2525", "-DFLAG", "-DEMPTY=", "x.mc", cwd=work)
    assert (status, out, err) == (0, "flag port=2525 empty=[]\n", "")


def test_later_define_wins_and_value_keeps_equals_signs(work: Path) -> None:
    (work / "x.mc").write_text("A\n")
    assert run("compile", "-DA=1", "-DA=b=c", "x.mc", cwd=work) == (0, "b=c\n", "")


def test_include_path_is_searched_after_the_current_directory(work: Path) -> None:
    for directory, names in {"one": ("a", "b"), "two": ("b", "c"), ".": ("a",)}.items():
        (work / directory).mkdir(exist_ok=True)
        for name in names:
            (work / directory / f"{name}.m4").write_text(f"{name} from {directory}\n")
    (work / "x.mc").write_text("include(`a.m4')include(`b.m4')include(`c.m4')")
    status, out, _ = run("compile", "x.mc", "-I", "one", "-Itwo", cwd=work)
    assert (status, out) == (0, "a from .\nb from one\nc from two\n")


def test_m4path_is_searched_after_the_include_directories(work: Path) -> None:
    for directory in ("one", "env"):
        (work / directory).mkdir()
        (work / directory / "a.m4").write_text(f"a from {directory}\n")
    (work / "env" / "b.m4").write_text("b from env\n")
    (work / "x.mc").write_text("include(`a.m4')include(`b.m4')")
    status, out, _ = run("compile", "-I", "one", "x.mc", cwd=work, env={"M4PATH": "env"})
    assert (status, out) == (0, "a from one\nb from env\n")


def test_output_file_is_written_and_stdout_stays_empty(work: Path) -> None:
    (work / "x.mc").write_bytes(b"divert(1)late\ndivert(0)caf\xc3\xa9 \xff\n")
    assert run("compile", "x.mc", "-o", "x.cf", cwd=work) == (0, "", "")
    assert (work / "x.cf").read_bytes() == b"caf\xc3\xa9 \xff\nlate\n"
    assert sorted(p.name for p in work.iterdir()) == ["x.cf", "x.mc"]


def test_output_file_keeps_the_mode_of_the_file_it_replaces(work: Path) -> None:
    (work / "x.mc").write_text("new\n")
    (work / "x.cf").write_text("old\n")
    (work / "x.cf").chmod(0o640)
    assert run("compile", "--output=x.cf", "x.mc", cwd=work) == (0, "", "")
    assert (work / "x.cf").read_text() == "new\n"
    assert stat.S_IMODE((work / "x.cf").stat().st_mode) == 0o640


def test_standard_input(work: Path) -> None:
    assert run("compile", "-", cwd=work, stdin=b"define(`a', `b')a __file__\n") == (
        0,
        "b stdin\n",
        "",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ok\n`unterminated\n", "x.mc:2: ERROR: end of file in string\n"),
        ("include(`nope.m4')\n", "x.mc:1: cannot open `nope.m4': No such file or directory\n"),
        ("a\n\nincr(`x')\n", "x.mc:3: non-numeric argument to builtin `incr'\n"),
        ("a\nm4exit(`3')\n", ""),
        ("errprint(`x.mc:1: my own error\n')m4exit(1)", "x.mc:1: my own error\n"),
        ("a\ninclude(`nope')m4exit(0)", "x.mc:2: cannot open `nope': No such file or directory\n"),
    ],
)
def test_errors_have_file_and_line_and_write_nothing(work: Path, text: str, message: str) -> None:
    (work / "x.mc").write_text(text)
    (work / "x.cf").write_text("previous\n")
    status, out, err = run("compile", "x.mc", cwd=work)
    assert (status, out) == (1, "")
    assert err == message + "mta compile: x.mc: not compiled (errors above)\n"
    assert run("compile", "x.mc", "-o", "x.cf", cwd=work)[:2] == (1, "")
    assert (work / "x.cf").read_text() == "previous\n"
    assert sorted(p.name for p in work.iterdir()) == ["x.cf", "x.mc"]


def test_an_error_in_an_included_file_names_that_file(work: Path) -> None:
    (work / "inc.m4").write_text("\n\ndivert(`x')\n")
    (work / "x.mc").write_text("include(`inc.m4')\n")
    status, out, err = run("compile", "x.mc", cwd=work)
    assert (status, out) == (1, "")
    assert err.splitlines()[0] == "inc.m4:3: non-numeric argument to builtin `divert'"


def test_warnings_are_printed_and_do_not_fail(work: Path) -> None:
    (work / "x.mc").write_text("define(`a', `b', `c')a\nerrprint(`x.mc:2: warning: old\n')")
    status, out, err = run("compile", "x.mc", cwd=work)
    assert (status, out) == (0, "b\n")
    assert err == (
        "x.mc:1: Warning: excess arguments to builtin `define' ignored\nx.mc:2: warning: old\n"
    )


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["missing.mc"], 66, "mta compile: cannot open missing.mc: No such file or directory\n"),
        (["."], 66, "mta compile: cannot open .: Is a directory\n"),
        ([], 64, "mta compile: no .mc file given\n"),
        (["a.mc", "b.mc"], 64, "mta compile: more than one .mc file given\n"),
        (["-x", "a.mc"], 64, "mta compile: option -x not recognized\n"),
        (["-D", "=1", "a.mc"], 64, "mta compile: -D needs a macro name: '=1'\n"),
        (["-o", "a", "-o", "b", "a.mc"], 64, "mta compile: more than one -o\n"),
        (["a.mc", "-o"], 64, "mta compile: option -o requires argument\n"),
    ],
)
def test_bad_input_and_usage(work: Path, args: list[str], status: int, message: str) -> None:
    code, out, err = run("compile", *args, cwd=work)
    assert (code, out) == (status, "")
    assert err.startswith(message)
    if status == 64:
        assert err.endswith(
            "Usage: mta compile [-D name[=value]]... [-I dir]... FILE.mc [-o FILE.cf]\n"
        )


def test_unwritable_output_is_cantcreat_and_prints_nothing(work: Path) -> None:
    (work / "x.mc").write_text("x\n")
    status, out, err = run("compile", "x.mc", "-o", "no/such/dir/x.cf", cwd=work)
    assert (status, out) == (73, "")
    assert err == "mta compile: cannot write no/such/dir/x.cf: No such file or directory\n"


def test_help(work: Path) -> None:
    status, out, err = run("compile", "--help", cwd=work)
    assert (status, err) == (0, "")
    assert out.startswith("Usage: mta compile ")


def test_mta_group_lists_compile_and_refuses_unknown_commands(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert mta_main.main(["--help"]) == 0
    assert "compile" in capsys.readouterr().out
    assert mta_main.main(["no-such-command"]) == 64
    assert "No such command" in capsys.readouterr().err


def test_compile_does_not_import_click(work: Path) -> None:
    (work / "x.mc").write_text("x\n")
    code = (
        "import sys; from mta.cli.main import main; main(['compile', 'x.mc']); "
        "sys.stderr.write(str('click' in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, cwd=work, text=True, check=False
    )
    assert (proc.stdout, proc.stderr) == ("x\n", "False")


# --- the path mapping, in process, with the fixture library -----------------


MAPPED_MC = """\
include(`%s')dnl
FEATURE(`access_db')dnl
"""
OURS = "ours cf.m4\nours feature access_db in feature/access_db.m4\n"


@pytest.mark.parametrize(
    "cf_m4", ["/usr/share/sendmail/cf/m4/cf.m4", "/usr/share/sendmail-cf/m4/cf.m4"]
)
def test_system_sendmail_cf_paths_get_our_library(
    capsys: pytest.CaptureFixture[str], work: Path, library: Path, cf_m4: str
) -> None:
    # /usr/share/sendmail/cf is there when Debian's sendmail-cf is installed (as in CI):
    # ours is used all the same.
    (work / "x.mc").write_text(MAPPED_MC % cf_m4)
    assert call(capsys, "x.mc", library=library) == (0, OURS, "")


def test_other_files_under_a_system_root_are_mapped_too(
    capsys: pytest.CaptureFixture[str], work: Path, library: Path
) -> None:
    (work / "x.mc").write_text(
        "include(`/usr/share/sendmail/cf/m4/cf.m4')"
        "define(`_ARG_', `x')include(`/usr/share/sendmail-cf/./feature//access_db.m4')"
        "sinclude(`/usr/share/sendmail/cf/feature/absent.m4')divert(0)done\n"
    )
    assert call(capsys, "x.mc", library=library) == (
        0,
        "ours cf.m4\nours feature access_db in feature/access_db.m4\ndone\n",
        "",
    )


def test_cf_m4_relative_to_a_cf_cf_directory(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    library: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tree = tmp_path / "sendmail-8.17" / "cf"
    (tree / "cf").mkdir(parents=True)
    (tree / "m4").mkdir()
    (tree / "m4" / "cf.m4").write_text(REAL_TREE_CF_M4)  # a real sendmail-cf tree
    (tree / "cf" / "site.mc").write_text(MAPPED_MC % "../m4/cf.m4")
    monkeypatch.chdir(tree / "cf")
    assert call(capsys, "site.mc", library=library) == (0, OURS, "")


def test_cf_m4_found_through_include_path(
    capsys: pytest.CaptureFixture[str], work: Path, library: Path
) -> None:
    (work / "real" / "m4").mkdir(parents=True)
    (work / "real" / "m4" / "cf.m4").write_text(REAL_TREE_CF_M4)
    (work / "x.mc").write_text(MAPPED_MC % "m4/cf.m4")
    assert call(capsys, "-I", "real", "x.mc", library=library) == (0, OURS, "")


def test_other_includes_are_not_mapped(
    capsys: pytest.CaptureFixture[str], work: Path, library: Path
) -> None:
    (work / "elsewhere" / "m4").mkdir(parents=True)
    (work / "elsewhere" / "m4" / "cf.m4").write_text(REAL_TREE_CF_M4)
    (work / "mine.m4").write_text("mine\n")
    absolute = work / "elsewhere" / "m4" / "cf.m4"
    (work / "x.mc").write_text(f"include(`{absolute}')include(`mine.m4')")
    assert call(capsys, "x.mc", library=library) == (0, REAL_TREE_CF_M4 + "mine\n", "")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("/usr/share/sendmail/cf/m4/cf.m4", "LIB/m4/cf.m4"),
        ("/usr/share/sendmail-cf/m4/cf.m4", "LIB/m4/cf.m4"),
        ("/usr/share/sendmail/cf/feature/access_db.m4", "LIB/feature/access_db.m4"),
        ("//usr/share/sendmail-cf/ostype/../ostype/linux.m4", "LIB/ostype/linux.m4"),
        ("../m4/cf.m4", "LIB/m4/cf.m4"),
        ("m4/cf.m4", "LIB/m4/cf.m4"),
        ("./m4/cf.m4", "LIB/m4/cf.m4"),
        ("sendmail-8.17.1/cf/m4/cf.m4", "LIB/m4/cf.m4"),
        ("/usr/share/sendmail/cf/../../../etc/passwd", None),
        ("/usr/share/sendmail/cfx/m4/cf.m4", None),
        ("/usr/share/sendmail/cf", None),
        ("/opt/sendmail/cf/m4/cf.m4", None),
        ("m4/proto.m4", None),
        ("xm4/cf.m4", None),
        ("local.m4", None),
    ],
)
def test_library_resolver(name: str, expected: str | None) -> None:
    resolved = library_resolver("/LIB")(name)
    assert resolved == (None if expected is None else expected.replace("LIB", "/LIB"))


def test_library_errors_fail_and_warnings_do_not(
    capsys: pytest.CaptureFixture[str], work: Path, library: Path
) -> None:
    (work / "x.mc").write_text(
        "include(`/usr/share/sendmail/cf/m4/cf.m4')dnl\nFEATURE(`warn')dnl\nFEATURE(`nosuch')dnl\n"
    )
    status, out, err = call(capsys, "x.mc", library=library)
    feature = library / "feature" / "warn.m4"
    assert (status, out) == (1, "")
    assert err == (
        f"{feature}:1: warning: deprecated\n"
        "x.mc:3: unknown FEATURE `nosuch'\n"
        "mta compile: x.mc: not compiled (errors above)\n"
    )
    (work / "x.mc").write_text(
        "include(`/usr/share/sendmail/cf/m4/cf.m4')dnl\nFEATURE(`warn')dnl\n"
    )
    assert call(capsys, "x.mc", "-o", "x.cf", library=library) == (
        0,
        "",
        f"{feature}:1: warning: deprecated\n",
    )
    assert (work / "x.cf").read_text() == "ours cf.m4\n"


def test_compile_mc_function(work: Path, library: Path) -> None:
    (work / "x.mc").write_text("include(`m4/cf.m4')X\n")
    assert compile_mc("x.mc", defines={"X": "y"}, library=str(library)) == "ours cf.m4\ny\n"
    err = io.BytesIO()
    (work / "bad.mc").write_text("include(`m4/cf.m4')_CF_ERROR(`bad')")
    with pytest.raises(CompileError) as info:
        compile_mc("bad.mc", library=str(library), stderr=err)
    assert info.value.status == 1
    assert err.getvalue() == b"bad.mc:1: bad\n"
    with pytest.raises(FileNotFoundError):
        compile_mc("absent.mc", library=str(library))


# --- with the package's own library (m4compat/cf) -----------------------------

MINIMAL_MC = """\
include(`/usr/share/sendmail/cf/m4/cf.m4')dnl
OSTYPE(`linux')dnl
MAILER(`local')dnl
MAILER(`smtp')dnl
"""


def test_library_is_shipped_as_package_data() -> None:
    text = (REPO_ROOT / "pyproject.toml").read_text()
    assert '"cf/**/*.m4"' in text
    assert Path(LIBRARY_DIR) == REPO_ROOT / "m4compat" / "cf"


def test_package_library_compiles_a_minimal_mc_that_our_loader_loads(work: Path) -> None:
    from mta.config.loader import load_cf

    (work / "sendmail.mc").write_text(MINIMAL_MC)
    status, out, err = run("compile", "sendmail.mc", "-o", "sendmail.cf", cwd=work)
    assert (status, out) == (0, ""), err
    config = load_cf(str(work / "sendmail.cf"))
    assert "local" in config.mailers
    assert config.warnings == ()


# --- the etc-mail tree -------------------------------------------------------

ETC_MAIL = REPO_ROOT / "etc-mail"
TABLES = ("access", "mailertable", "virtusertable", "genericstable", "domaintable")
GNU_M4 = Path("/usr/bin/m4")
SYSTEM_CF_M4 = Path("/usr/share/sendmail/cf/m4/cf.m4")


LISTENERS = {
    "sendmail.mc": "Port=25, Addr=127.0.0.1, Name=MTA",
    "submit.mc": "Name=NoMTA, Addr=127.0.0.1, M=E",  # the MSP listens nowhere
}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A copy of etc-mail."""
    copy = tmp_path / "mail"
    copy.mkdir()
    for path in ETC_MAIL.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    return copy


@pytest.mark.skipif(
    not (GNU_M4.exists() and SYSTEM_CF_M4.exists()),
    reason="needs GNU m4 (/usr/bin/m4) and Debian's sendmail-cf",
)
@pytest.mark.parametrize("mc", ["sendmail.mc", "submit.mc"])
def test_etc_mail_compiles_with_gnu_m4_and_the_real_sendmail_cf(site: Path, mc: str) -> None:
    # Also checked by hand: real Sendmail 8.17 loads both (sendmail -C FILE.cf -bt).
    from mta.config.loader import load_cf

    m4 = subprocess.run([str(GNU_M4), mc], capture_output=True, cwd=site, check=False)
    assert (m4.returncode, m4.stderr) == (0, b"")
    config = load_cf(mc, text=m4.stdout.decode("latin-1"))
    assert config.warnings == ()
    assert config.options["DaemonPortOptions"] == LISTENERS[mc]


@pytest.mark.parametrize(
    ("mc", "defines", "listener"),
    [
        ("sendmail.mc", [], "Port=25, Addr=127.0.0.1, Name=MTA"),
        ("sendmail.mc", ["-D", "MTA_PORT=2525"], "Port=2525, Addr=127.0.0.1, Name=MTA"),
        pytest.param("submit.mc", [], LISTENERS["submit.mc"]),
        pytest.param("submit.mc", ["-DMTA_PORT=2525"], LISTENERS["submit.mc"]),
    ],
)
def test_etc_mail_compiles_with_mta_compile_and_loads(
    site: Path, mc: str, defines: list[str], listener: str
) -> None:
    from mta.config.loader import load_cf

    status, out, err = run("compile", *defines, mc, "-o", "out.cf", cwd=site)
    assert (status, out, err) == (0, "", "")
    config = load_cf(str(site / "out.cf"))
    assert config.warnings == ()
    assert config.options["DaemonPortOptions"] == listener
    if mc == "submit.mc":  # the MSP relays to the MTA's port
        argv = config.mailers["relay"].argv
        assert (argv[0], argv[2:]) == ("TCP", ("2525",) if defines else ())


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_etc_mail_makefile_builds_what_is_stale(site: Path) -> None:
    argv = [
        "make",
        "-C",
        str(site),
        f"BIN={Path(sys.executable).parent}/",
        f"MCFLAGS=-D MAIL_SETTINGS_DIR={site}/ -D MTA_PORT=2525",
    ]

    def make() -> str:
        proc = subprocess.run(argv, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout

    first = make()
    built = ["sendmail.cf", "submit.cf", *(f"{t}.db" for t in TABLES), "aliases.db"]
    assert all((site / name).exists() for name in built), first
    assert "Nothing to be done" in make()
    earlier = (site / "access").stat().st_mtime - 10  # access edited since access.db
    os.utime(site / "access.db", (earlier, earlier))
    assert [line.split("/")[-1] for line in make().splitlines() if "/bin/" in line] == [
        "makemap hash access < access"
    ]
    # The tables are where the .cf looks for them: our own sendmail -bt finds them.
    bt = subprocess.run(
        [str(MTA.parent / "sendmail"), "-C", str(site / "sendmail.cf"), "-bt"],
        input="/map access Connect:127.0.0.1\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert "map_lookup: access (Connect:127.0.0.1) returns RELAY (0)" in bt.stdout, bt.stderr


@pytest.mark.parametrize(
    ("written", "shown", "errors"),
    [
        (
            b"m4compat:a.mc:3: Warning: excess arguments\n",
            b"a.mc:3: Warning: excess arguments\n",
            0,
        ),
        (b"m4compat: Warning: at start\n", b"mta compile: Warning: at start\n", 0),
        (b"m4compat:a:b.mc:3: bad\n", b"a:b.mc:3: bad\n", 1),
        (b"m4compat: syscmd subprocess failed\n", b"mta compile: syscmd subprocess failed\n", 1),
        (b"a.mc:1: warning: ours\nm4trace: -1- x\n", b"a.mc:1: warning: ours\nm4trace: -1- x\n", 0),
        (b"m4compat:a.mc:1: one\nm4comp", b"a.mc:1: one\nm4comp\n", 1),
        (b"m4compat:a.mc:1: o", b"a.mc:1: o\n", 1),
    ],
)
def test_messages_stream(written: bytes, shown: bytes, errors: int) -> None:
    out = io.BytesIO()
    messages = _Messages(out)
    for i in range(len(written)):  # a byte at a time: lines may come in pieces
        messages.write(written[i : i + 1])
    messages.close()
    assert (out.getvalue(), messages.errors) == (shown, errors)


def test_endless_recursion_is_an_error_not_a_traceback(work: Path) -> None:
    (work / "x.mc").write_text("define(`x', `x(x)')x\n")
    assert run("compile", "x.mc", cwd=work) == (
        1,
        "",
        "mta compile: x.mc: stack overflow (endless macro recursion)\n"
        "mta compile: x.mc: not compiled (errors above)\n",
    )
