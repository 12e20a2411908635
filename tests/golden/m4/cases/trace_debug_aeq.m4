define(`f', `quoted `$1' result')dnl
f(`arg one', two)
