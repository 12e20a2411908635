define(`x', `X')dnl
changecom(`')dnl
# x
changecom(`;;')dnl
;; x
# x
