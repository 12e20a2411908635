define(`id', `$1')dnl
id(`a')
id(``a'')
id(```a''')
define(`idq', ``$1'')dnl
idq(`b')
