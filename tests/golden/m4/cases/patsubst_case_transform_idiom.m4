define(`upcase', `translit(`$*', `a-z', `A-Z')')dnl
define(`capitalize', `patsubst(`$1', `\w+', `upcase(substr(`\&', 0, 1))`'substr(`\&', 1)')')dnl
capitalize(`hello big world')
