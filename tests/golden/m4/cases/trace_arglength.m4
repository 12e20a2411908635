define(`f', `expansion text')dnl
f(`a very long argument', `tiny')
