divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`block_bad_helo'): Reject clients that say HELO with our name or an IP literal.
dnl #  Loopback is ours: its literals join class w (so HELO [127.0.0.1] from
dnl #  elsewhere is refused, and mail to user@[IPv6:::1] is local) and its
dnl #  addresses join class R.
dnl #
_CF_CLASS_ADD(`R', `127.0.0.1 IPv6:0:0:0:0:0:0:0:1 IPv6:::1')
_CF_CLASS_ADD(`w', `[127.0.0.1] [IPv6:0:0:0:0:0:0:0:1] [IPv6:::1]')
divert(-1)
