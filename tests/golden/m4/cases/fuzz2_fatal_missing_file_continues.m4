m4wrap(`wrapped
')divert(1)diverted
divert(0)main
