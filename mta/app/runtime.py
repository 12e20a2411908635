"""Runtime: a loaded .cf with its maps, rule engine and Policy, as Sendmail's main() builds them.

SYNOPSIS
    runtime = Runtime.build("/etc/mail/sendmail.cf", overrides={"QueueDirectory": "/tmp/q"},
                            op_mode="d")
    runtime.policy.check("check_rcpt", "<a@b>", macros=runtime.session_macros(), e_to="<a@b>")

DESCRIPTION
    Sendmail's main() defines the host's names ($w $j $m $k), ${opMode} and
    ${deliveryMode} before it reads the .cf (rules expand macros when they
    are read), reads it with the command-line options winning over its O
    lines, adds the interface addresses and $j to class w, and then resets
    ${deliveryMode} to what -O/-o said (or "i"). Runtime.build does the same
    for every mode that needs the rules: -bt, -bd/-bD, -bs.

    A Runtime is never changed after it is built; a reload builds a new one.

DIAGNOSTICS
    ConfigError when the .cf cannot be read. Problems Sendmail reports and
    survives are in Runtime.warnings.

SEE ALSO
    mta.config.loader, mta.maps.registry, mta.rules.engine, mta.rules.check.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from mta.config.hostinfo import HostIdentity, host_identity, interface_names
from mta.config.loader import SENDMAIL_VERSION, load_cf
from mta.config.macros import translate_dollars
from mta.config.model import Config
from mta.maps.base import MapEnv
from mta.maps.registry import MapSet
from mta.rules.check import Policy
from mta.rules.engine import RuleEngine
from mta.rules.macros import MacroEnv


def startup_macros(ident: HostIdentity, op_mode: str) -> dict[str, str]:
    """The macros Sendmail's main() defines before it reads the .cf, encoded.

    The host's names ($w, $j, $m, $k), ${opMode}, the letter of the -b
    option ("m" without one), and ${deliveryMode} for the default delivery
    mode, "b" (a DeliveryMode option, -O or in the file, changes it while
    the .cf is read). Rules expand macros when they are read, and
    FEATURE(redirect) has ${opMode} in an RHS, so these are defined first.
    """
    plain = dict(ident.macros)
    plain.setdefault("v", SENDMAIL_VERSION)
    plain["opMode"] = op_mode
    plain["deliveryMode"] = "b"
    return {k: translate_dollars(v, 10, comments=False) for k, v in plain.items()}


@dataclass(frozen=True, slots=True)
class Runtime:
    """What the daemon and the other modes run on (built once per configuration)."""

    config: Config
    mapset: MapSet
    engine: RuleEngine
    policy: Policy
    identity: HostIdentity
    warnings: tuple[str, ...]

    @classmethod
    def build(
        cls,
        cf: str,
        *,
        overrides: Mapping[str, str] | None = None,
        op_mode: str = "d",
        out: Callable[[str], None] | None = None,
        debug: Mapping[int, int] | None = None,
    ) -> Runtime:
        """Load cf and build the maps, the engine and the Policy.

        Args:
            cf: the .cf path.
            overrides: command-line options (long names), which win over the file.
            op_mode: the -b letter (${opMode}).
            out: where messages of the engine and the maps go.
            debug: TRACEFLAGS levels.

        Raises:
            ConfigError: the .cf cannot be read.
        """
        opts = dict(overrides or {})
        ident = host_identity()
        config = load_cf(cf, macros=startup_macros(ident, op_mode), classes=ident.classes,
                         overrides=opts)
        env = MapEnv(options=config.options, debug=dict(debug or {}),
                     trace=out or (lambda _line: None))
        mapset = MapSet(config.maps, env)
        # The memo compares the macros a remembered call read by value, so the
        # daemon's sessions (each with its own macros) share it.
        engine = RuleEngine(config, mapset, out=out, debug=debug)
        engine.macros.define("deliveryMode", opts.get("DeliveryMode", "")[:1] or "i")
        for word in interface_names(config.options):
            engine.classes.add("w", word)
        j = config.macros.get("j")
        if j is not None:
            engine.classes.add("w", j)
        warnings = (*config.warnings, *mapset.warnings)
        return cls(config, mapset, engine, Policy(engine), ident, tuple(warnings))

    def session_macros(self) -> MacroEnv:
        """A fresh macro environment for one session (the daemon's macros copied)."""
        return self.engine.macros.copy()
