define(`f', `<$1>')dnl
changequote(`(', `)')dnl
f((a,b))
(f)
changequote(`,', `;')dnl
f(a,b;)
