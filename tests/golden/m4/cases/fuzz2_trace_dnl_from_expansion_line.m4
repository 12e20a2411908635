define(`x', `dnl')
x(
)
z
