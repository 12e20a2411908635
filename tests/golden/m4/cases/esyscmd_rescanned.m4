define(`macro', `MACRO')dnl
esyscmd(`echo macro')dnl
changequote([, ])dnl
esyscmd([echo "define(y, Y)dnl"])dnl
y
