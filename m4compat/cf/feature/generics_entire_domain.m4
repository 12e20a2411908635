divert(-1)define(`_CF_LOADED_')
dnl #
dnl #  FEATURE(`generics_entire_domain'): Apply genericstable to subdomains of class G too.
dnl #
divert(-1)
