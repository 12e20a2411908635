"""Tests for mta.config.hostinfo: IPv6 spelling, interface probing, the host entry."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from mta.config import hostinfo


@pytest.mark.parametrize(
    ("address", "text"),
    [
        ("::1", "IPv6:0:0:0:0:0:0:0:1"),
        ("::", "IPv6:0:0:0:0:0:0:0:0"),
        ("2001:db8::5", "IPv6:2001:db8:0:0:0:0:0:5"),
        ("2001:0db8:0000:0000:0001:0000:0000:0050", "IPv6:2001:db8:0:0:1:0:0:50"),
        ("fe80::fc:ff:fe00:1", "IPv6:fe80:0:0:0:fc:ff:fe00:1"),
        ("FD00::ABCD", "IPv6:fd00:0:0:0:0:0:0:abcd"),
        ("::ffff:10.0.0.1", "10.0.0.1"),
    ],
)
def test_ipv6_text(address: str, text: str) -> None:
    """IPV6_FULL: eight groups without leading zeros; IPv4-mapped prints as IPv4."""
    assert hostinfo.ipv6_text(ipaddress.IPv6Address(address)) == text


@pytest.mark.parametrize("value", ["true", "True", "yes", "Y", ""])
def test_interface_names_not_probed(value: str) -> None:
    """A true DontProbeInterfaces (atobool) stops the probe."""
    assert hostinfo.interface_names({"DontProbeInterfaces": value}) == []


@pytest.mark.parametrize(
    "options", [{}, {"DontProbeInterfaces": "false"}, {"DontProbeInterfaces": "loopback"}]
)
def test_interface_names_probed(options: dict[str, str]) -> None:
    """Otherwise every up interface's IPv4 address, bracketed, as the probe returns them."""
    words = hostinfo.interface_names(options)
    assert words == [f"[{a}]" for a in hostinfo.interface_addresses()]


def test_interface_addresses_are_ipv4_of_up_interfaces() -> None:
    """The probe gives dotted IPv4 text, never the wildcard, and no duplicates per name."""
    addresses = hostinfo.interface_addresses()
    for text in addresses:
        assert ipaddress.ip_address(text).version == 4
        assert text not in ("0.0.0.0", "255.255.255.255")
    names = {name for _, name in socket.if_nameindex()}
    if "lo" in names:
        lo_up = True
        try:
            with open("/sys/class/net/lo/operstate") as fh:
                lo_up = fh.read().strip() != "down"
        except OSError:
            pass
        if lo_up:
            assert "127.0.0.1" in addresses


def test_host_entry_ipv4_localhost() -> None:
    """An IPv4 host entry for 127.0.0.1's usual name lists that address."""
    entry = hostinfo.host_entry("localhost", socket.AF_INET)
    if entry is None:
        pytest.skip("localhost does not resolve here")
    assert "127.0.0.1" in entry.addresses
    assert all(ipaddress.ip_address(a).version == 4 for a in entry.addresses)


def test_host_entry_unknown() -> None:
    """A name that cannot exist gives None for both families."""
    for family in (socket.AF_INET, socket.AF_INET6):
        assert hostinfo.host_entry("no-such-host.invalid", family) is None


def test_host_identity_classes_in_sendmail_order() -> None:
    """$j first in w, then k and w for the node name; $w is $j up to its first dot."""
    ident = hostinfo.host_identity()
    j = ident.macros["j"]
    assert ident.classes[0] == ("w", j)
    assert ("k", ident.macros["k"]) in ident.classes
    assert ident.macros["w"] == j.split(".", 1)[0]
    for cname, word in ident.classes:
        if word.startswith("["):
            assert cname == "w"
            inner = word[1:-1]
            inner = inner[5:] if inner.startswith("IPv6:") else inner
            ipaddress.ip_address(inner)
