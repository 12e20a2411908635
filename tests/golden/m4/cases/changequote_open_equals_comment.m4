changequote(`#', `!')dnl
#a! b # comment?
done
