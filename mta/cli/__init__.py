"""Command-line programs: sendmail, makemap, newaliases, praliases.

DESCRIPTION
    Click-free thin wrappers where Sendmail's getopt semantics matter; each
    module has a main() named in pyproject's console scripts.
"""
