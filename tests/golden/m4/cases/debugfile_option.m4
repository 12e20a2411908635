define(`f', `F')dnl
f(`traced to a file')
debugfile`'dnl
esyscmd(`cat debugfile_option.tmp; rm -f debugfile_option.tmp')dnl
