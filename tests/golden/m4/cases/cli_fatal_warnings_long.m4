define(`x')define(`y', `a', `b')dnl
done
