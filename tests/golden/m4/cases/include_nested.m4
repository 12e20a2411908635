include(`inc/outer.m4')dnl
done
