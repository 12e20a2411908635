"""The rewriting engine: Sendmail's rulesets run over token lists.

DESCRIPTION
    engine.RuleEngine runs rulesets of a model.Config against a maps.MapSet;
    testmode drives it as `sendmail -bt` does.
"""
