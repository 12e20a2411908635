# dnl does not eat the comment newline
dnl # but dnl eats a comment
after
