ifelse(`a comment, effectively')dnl
[ifelse(`x')]
ifelse
[ifelse()]
