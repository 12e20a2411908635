include(`inc/defs.m4')dnl
done
