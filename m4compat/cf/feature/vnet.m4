divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`vnet'): IBM's internal VNET (deprecated).  Class A holds the
dnl #  VNET domains (vnet.ibm.com vnet rscs ipnet).  Canonify turns the
dnl #  RSCS gateways of the %-hack (user%ibmus.rscs@host: us.ibm.com, ibmca:
dnl #  ca.ibm.com, ibmuk: uk.ibm.com, other nodes node.rscs) into domains and
dnl #  a host node.DOMAIN of class A into node.vnet.  Ruleset 0 sends
dnl #  node.vnet to the relay mailer at $A and host.ibm.com to that host by
dnl #  the relay mailer; this host's names stay focused.
dnl #
divert(8)# VNET domains
CAvnet.ibm.com vnet rscs ipnet
divert(5)# VNET: names of this host, VNET nodes and ibm.com hosts
R$* < @ $=w . > $*		$@ $1 < @ $2 . > $3
R$* < @ $=w > $*		$@ $1 < @ $2 . > $3
R$* < @ $- . vnet . > $*	$# relay $@ $A $: $1 < @ $2 . VNET . > $3
R$* < @ $+ . ibm . com > $*	$# relay $@ $2 . ibm . com $: $1 < @ $2 . ibm . com > $3
R$* < @ $+ . ibm . com . > $*	$# relay $@ $2 . ibm . com $: $1 < @ $2 . ibm . com > $3
divert(13)
######################################################################
#   vnet_canon: VNET hosts in canonify (RSCS gateways, class A domains)
######################################################################
Svnet_canon
R$* % ibmus . rscs < @ $+ > $*	$: $1 < @ us . ibm . com > $3
R$* % ibmca . rscs < @ $+ > $*	$: $1 < @ ca . ibm . com > $3
R$* % ibmuk . rscs < @ $+ > $*	$: $1 < @ uk . ibm . com > $3
R$* % $- . rscs < @ $+ > $*	$: $1 < @ $2 . rscs > $4
R$* < @ $- . $=A > $*		$: $1 < @ $2 . vnet . >
divert(-1)
