"""This host's names and addresses, as Sendmail finds them around reading its .cf.

SYNOPSIS
    ident = host_identity()
    config = load_cf(path, macros=ident.macros, classes=ident.classes)
    for word in interface_names(config.options): classes.add("w", word)
    ipv6_text(ipaddress.IPv6Address("::1"))  ->  "IPv6:0:0:0:0:0:0:0:1"

DESCRIPTION
    Sendmail's main() defines $w, $j, $m and $k from the host name and its
    canonical form, and enters the canonical name, the node name, the host
    entry's aliases and its addresses into class w. The host entry is looked
    up for IPv6 first and, when the name has no IPv6 address, for IPv4 (the
    system resolver: /etc/hosts with "hosts: files"), so on a host whose
    name is listed on a "::1" line the aliases and addresses are that line's,
    and the addresses enter as "[IPv6:0:0:0:0:0:0:0:1]" (Sendmail 8.17 is
    built with IPV6_FULL: eight groups, no "::" compression, no leading
    zeros; an IPv4-mapped address prints as plain "a.b.c.d").

    After the .cf is read (so the file's DontProbeInterfaces option counts),
    the IPv4 address of every interface that is up enters class w as
    "[a.b.c.d]", in the kernel's SIOCGIFCONF order, loopback included.
    Interface IPv6 addresses are not added: SIOCGIFCONF lists only IPv4.
    All of this was checked against sendmail 8.17.1.9 -bt -d0.4 in network
    namespaces with extra addresses on lo, interfaces up and down, and
    /etc/hosts variants (IPv4 only, IPv6 only, both, IPv4-mapped). Even
    "DontProbeInterfaces=loopback" adds the loopback addresses there; only a
    true value stops the probe.

    The order matters for `$=w` listings (words of one symbol-table bucket
    print in insertion order), so classes are (class, word) pairs in the
    order Sendmail enters them.

DIAGNOSTICS
    Lookup failures are not errors: the names that can be found are used.
    interface_names() returns nothing when the ioctls fail (no IPv4 socket).

SEE ALSO
    mta.config.loader, mta.cli.sendmail, Sendmail op.me 5.2.1 (macros set by
    sendmail) and the DontProbeInterfaces option; netdevice(7).
"""

from __future__ import annotations

import array
import ctypes
import fcntl
import ipaddress
import os
import socket
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

from mta.config.options import atobool

SIOCGIFCONF = 0x8912
SIOCGIFFLAGS = 0x8913
IFF_UP = 0x1
IFNAMSIZ = 16
# struct ifreq: the name, then a union as big as struct ifmap (24 bytes with 64-bit longs)
_IFREQ_SIZE = IFNAMSIZ + (24 if struct.calcsize("P") == 8 else 16)


@dataclass(frozen=True, slots=True)
class HostIdentity:
    """Macros (plain text) and class entries Sendmail sets up for this host."""

    macros: dict[str, str] = field(default_factory=dict)
    classes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class HostEntry:
    """A struct hostent: official name, aliases, and addresses as bracket-free text."""

    name: str
    aliases: tuple[str, ...]
    addresses: tuple[str, ...]


def ipv6_text(address: ipaddress.IPv6Address) -> str:
    """Sendmail's anynet_ntop() for IPv6 with IPV6_FULL: "IPv6:" and eight groups.

    An IPv4-mapped address gives the dotted IPv4 text without the prefix.
    """
    mapped = address.ipv4_mapped
    if mapped is not None:
        return str(mapped)
    groups = struct.unpack("!8H", address.packed)
    return "IPv6:" + ":".join(f"{g:x}" for g in groups)


class _HostEnt(ctypes.Structure):
    _fields_ = [
        ("h_name", ctypes.c_char_p),
        ("h_aliases", ctypes.POINTER(ctypes.c_char_p)),
        ("h_addrtype", ctypes.c_int),
        ("h_length", ctypes.c_int),
        ("h_addr_list", ctypes.POINTER(ctypes.POINTER(ctypes.c_char))),
    ]


def _gethostbyname2() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    # the process's own symbols first: they include the C library's, and
    # ctypes.util.find_library() runs ldconfig in a subprocess
    try:
        func = ctypes.CDLL(None).gethostbyname2
    except (OSError, AttributeError):
        from ctypes.util import find_library

        try:
            func = ctypes.CDLL(find_library("c") or None).gethostbyname2
        except (OSError, AttributeError):
            return None
    func.restype = ctypes.POINTER(_HostEnt)
    func.argtypes = [ctypes.c_char_p, ctypes.c_int]
    return func


def host_entry(name: str, family: int) -> HostEntry | None:
    """gethostbyname2(name, family) through the C library, or None when not found.

    Without gethostbyname2 (a C library that lacks it), IPv6 lookups give None
    and IPv4 ones use socket.gethostbyname_ex.
    """
    func = _gethostbyname2()
    if func is None:
        if family != socket.AF_INET:
            return None
        try:
            canonical, aliases, addrs = socket.gethostbyname_ex(name)
        except OSError:
            return None
        return HostEntry(canonical, tuple(aliases), tuple(addrs))
    try:
        hp = func(name.encode("latin-1"), family)
    except UnicodeEncodeError:
        return None
    if not hp:
        return None
    ent = hp.contents
    names: list[str] = []
    i = 0
    while ent.h_aliases and ent.h_aliases[i] is not None:
        names.append((ent.h_aliases[i] or b"").decode("latin-1"))
        i += 1
    addresses: list[str] = []
    size = ent.h_length
    i = 0
    while ent.h_addr_list and ent.h_addr_list[i]:
        packed = ctypes.string_at(ent.h_addr_list[i], size)
        if ent.h_addrtype == socket.AF_INET6 and size == 16:
            addresses.append(ipv6_text(ipaddress.IPv6Address(packed)))
        elif ent.h_addrtype == socket.AF_INET and size == 4:
            addresses.append(str(ipaddress.IPv4Address(packed)))
        else:
            break
        i += 1
    return HostEntry((ent.h_name or b"").decode("latin-1"), tuple(names), tuple(addresses))


def host_identity() -> HostIdentity:
    """Find $w/$j/$m/$k and class w entries for this host."""
    name = socket.gethostname()
    entry = host_entry(name, socket.AF_INET6) or host_entry(name, socket.AF_INET)
    canonical = name
    if entry is not None and ("." in entry.name or "." not in name):
        canonical = entry.name
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
    if entry is not None:
        classes.extend(("w", a) for a in entry.aliases)
        classes.extend(("w", f"[{ip}]") for ip in entry.addresses)
    macros["w"] = canonical[:dot] if dot > 0 else canonical
    return HostIdentity(macros, tuple(classes))


def interface_addresses() -> list[str]:
    """IPv4 addresses of the interfaces that are up, in SIOCGIFCONF order.

    0.0.0.0 and 255.255.255.255 are left out. Returns [] when the ioctls fail.
    """
    try:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    except OSError:
        return []
    with sock:
        entries = _ifconf(sock)
        up: dict[bytes, bool] = {}
        found: list[str] = []
        for ifname, addr in entries:
            if ifname not in up:
                try:
                    req = struct.pack(f"{IFNAMSIZ}sH", ifname, 0).ljust(_IFREQ_SIZE, b"\0")
                    flags = struct.unpack_from("H", fcntl.ioctl(sock, SIOCGIFFLAGS, req),
                                               IFNAMSIZ)[0]
                except OSError:
                    flags = 0
                up[ifname] = bool(flags & IFF_UP)
            if not up[ifname] or addr in ("0.0.0.0", "255.255.255.255"):
                continue
            found.append(addr)
        return found


def _ifconf(sock: socket.socket) -> list[tuple[bytes, str]]:
    """SIOCGIFCONF: (interface name, IPv4 address) pairs; the buffer grows until it fits."""
    count = 64
    while True:
        size = count * _IFREQ_SIZE
        buf = array.array("B", bytes(size))
        address, _ = buf.buffer_info()
        try:
            reply = fcntl.ioctl(sock, SIOCGIFCONF, struct.pack("iP", size, address))
        except OSError:
            return []
        used = struct.unpack("iP", reply)[0]
        if used < size or count >= 65536:
            break
        count *= 4
    data = buf.tobytes()[:used]
    pairs: list[tuple[bytes, str]] = []
    for off in range(0, used - _IFREQ_SIZE + 1, _IFREQ_SIZE):
        ifname = data[off:off + IFNAMSIZ].split(b"\0", 1)[0]
        family = struct.unpack_from("H", data, off + IFNAMSIZ)[0]
        if family != socket.AF_INET:
            continue
        pairs.append((ifname, socket.inet_ntoa(data[off + IFNAMSIZ + 4:off + IFNAMSIZ + 8])))
    return pairs


def interface_names(options: Mapping[str, str]) -> list[str]:
    """The "[a.b.c.d]" words load_if_names() adds to class w, unless DontProbeInterfaces."""
    value = options.get("DontProbeInterfaces")
    if value is not None and atobool(value):
        return []
    return [f"[{addr}]" for addr in interface_addresses()]
