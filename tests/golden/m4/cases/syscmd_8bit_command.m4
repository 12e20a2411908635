dnl The command given to syscmd and esyscmd is the input's bytes, 8-bit ones too.
esyscmd(`printf "%s" "éÂ»" | od -An -tx1')dnl
syscmd(`printf "%s" "é" | od -An -tx1')dnl
