dnl GNU adds the file name to a sync line only while its output line count is
dnl invalidated; newlines inside a multi-line token count it back up, so the
dnl next sync line is bare even though the file changed.
include(`inc/open_quote.m4')tail of the quote'

(divert(1)changecom(`*',`/')*
/
define
divert`'undivert(1)
