divert(-1)
define(`upcase', `translit(`$*', `a-z', `A-Z')')
define(`downcase', `translit(`$*', `A-Z', `a-z')')
define(`reverse', `ifelse(len(`$1'), `0', `',
  `reverse(substr(`$1', 1))`'substr(`$1', 0, 1)')')
define(`repeat', `ifelse(eval(`$2 > 0'), `1', `$1`'repeat(`$1', decr(`$2'))')')
define(`trim', `patsubst(patsubst(`$1', `^ +'), ` +$')')
define(`squeeze', `patsubst(`$1', `  +', ` ')')
define(`count_char', `len(patsubst(`$1', `[^$2]'))')
define(`starts_with', `ifelse(index(`$1', `$2'), `0', `yes', `no')')
define(`center', `define(`_pad', eval((`$2' - len(`$1')) / 2))repeat(` ', _pad)$1`'repeat(` ', eval(`$2' - len(`$1') - _pad))')
define(`csv_field', `regexp(`$1', `^\([^,]*,\)\{'`$2'`\}')')
divert(0)dnl
upcase(`Hello, World') downcase(`MiXeD CaSe')
reverse(`stressed')
repeat(`ab', 4)|repeat(`x', 0)|
[trim(`   padded text   ')]
[squeeze(`too    many     spaces')]
count_char(`mississippi', `s') count_char(`mississippi', `p')
starts_with(`sendmail', `send') starts_with(`sendmail', `mail')
[center(`mid', 11)]
[center(`toolongtext', 5)]
format(`%-10s|%5s|', `left', `right')
