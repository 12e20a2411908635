dnl Under -G, maketemp only puts the process id in place of trailing X's (never
dnl the first character; zeros pad a long run) and creates no file.
maketemp(`abc') maketemp(`X') maketemp() len(maketemp(`fooXXXXXXXXXXXXXXX'))
substr(maketemp(`fooXXXXXXXXXXXXXXX'), 0, 8) maketemp(`define')
