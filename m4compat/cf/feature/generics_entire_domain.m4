divert(-1)define(`_CF_LOADED_')
#
#  FEATURE(`generics_entire_domain'): Apply genericstable to subdomains of class G too.
#
divert(-1)
