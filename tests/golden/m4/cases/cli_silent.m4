dnl(`x')done
