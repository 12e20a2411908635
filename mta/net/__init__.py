"""Outbound network helpers shared by the server and the delivery agent.

DESCRIPTION
    mta.net holds what both sides of the network need without knowing
    mail: TLS contexts built from the .cf options (mta.net.tls). It imports
    only mta.core and mta.util (DESIGN.md 3.2).
"""
