define(`x', `X')dnl
changecom(`%')dnl
% x
x
