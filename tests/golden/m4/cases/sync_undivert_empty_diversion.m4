dnl Undiverting a diversion that holds nothing (GNU has dropped it) does not
dnl force a sync line; one with text does.
divert(1)undivert(`/dev/null')divert undivert
x
divert(1)text
divert undivert(1)
y
