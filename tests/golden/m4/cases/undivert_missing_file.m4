undivert(`inc/does_not_exist.txt')dnl
after
