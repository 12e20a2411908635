"""The mail transfer agent: .cf engine, maps, queue, SMTP and delivery.

DESCRIPTION
    Packages are layered as DESIGN.md section 3.2 shows (util, core, config, maps,
    rules, ... cli); tests/test_layering.py enforces the order.
"""

from mta.util import native as _native

_native.install()  # the compiled engine, when a current build exists (mta.util.native)
