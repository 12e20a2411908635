divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  HACK(`virthost_by_ip'): for a host that answers for several names, one
dnl #  per IP address.  The SMTP greeting and the "by" part of Received: name
dnl #  the host of the address the client connected to (${if_name}) instead of
dnl #  $j, and Received: tells who authenticated and with which mechanism.
dnl #
define(`confSMTP_LOGIN_MSG', `$?{if_name}${if_name}$|$j$. Sendmail $v/$Z; $b; (No UCE/UBE) $?{client_addr}logging access from: ${client_name}(${client_resolve})-$_$.')
define(`confRECEIVED_HEADER', `$?sfrom $s $.$?_($?s$|from $.$_)
	$.$?{auth_type}(user=${auth_authen} $?{auth_author}author=${auth_author} $.mech=${auth_type}$?{auth_ssf} bits=${auth_ssf}$.)
	$.by $?{if_name}${if_name}$|$j$. ($v/$Z)$?r with $r$. id $i$?{tls_version}
	(version=${tls_version} cipher=${cipher} bits=${cipher_bits} verify=${verify})$.$?u
	for $u; $|;
	$.$b')
divert(-1)
