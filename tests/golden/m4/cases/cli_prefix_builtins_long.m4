m4_dumpdef(`m4_len')m4_dnl
m4_define(`m', m4_defn(`m4_len'))m4_dnl
m(`hello')
