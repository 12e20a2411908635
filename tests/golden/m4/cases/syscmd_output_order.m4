one
syscmd(`echo two')dnl
three
syscmd(`printf "four "')dnl
five
