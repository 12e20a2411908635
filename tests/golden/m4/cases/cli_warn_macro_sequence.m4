define(`a', `$10 ${x}')dnl
define(`b', `$1')dnl
done
