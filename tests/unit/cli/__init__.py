"""Unit tests of mta.cli (a package so that test_makemap.py does not clash with tests/diff/)."""
