m4wrap(`wrapped
')x
