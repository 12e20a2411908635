"""This host's names, as Sendmail finds them before it reads its .cf.

SYNOPSIS
    ident = host_identity()
    config = load_cf(path, macros=ident.macros, classes=ident.classes)

DESCRIPTION
    Sendmail's main() defines $w, $j, $m and $k from the host name and its
    canonical form (gethostbyname through the system resolver, so
    /etc/hosts with "hosts: files"), and enters the canonical name, the
    node name, the aliases and the addresses ("[192.0.2.1]") into class w.
    The order matters for `$=w` listings, so classes are (class, word) pairs
    in the order Sendmail enters them.

DIAGNOSTICS
    Lookup failures are not errors: the names that can be found are used.

SEE ALSO
    mta.config.loader, Sendmail op.me 5.2.1 (macros set by sendmail).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class HostIdentity:
    """Macros (plain text) and class entries Sendmail sets up for this host."""

    macros: dict[str, str] = field(default_factory=dict)
    classes: tuple[tuple[str, str], ...] = ()


def host_identity() -> HostIdentity:
    """Find $w/$j/$m/$k and class w entries for this host."""
    name = socket.gethostname()
    aliases: list[str] = []
    addrs: list[str] = []
    canonical = name
    try:
        canonical, aliases, addrs = socket.gethostbyname_ex(name)
    except OSError:
        pass
    macros: dict[str, str] = {"j": canonical}
    classes: list[tuple[str, str]] = [("w", canonical)]
    dot = canonical.find(".")
    if dot >= 0 and dot + 1 < len(canonical):
        macros["m"] = canonical[dot + 1:]
        classes.append(("m", canonical[dot + 1:]))
    node = os.uname().nodename
    macros["k"] = node
    classes.append(("k", node))
    classes.append(("w", node))
    for a in aliases:
        classes.append(("w", a))
    for ip in addrs:
        classes.append(("w", f"[{ip}]"))
    macros["w"] = canonical[:dot] if dot > 0 else canonical
    return HostIdentity(macros, tuple(classes))
