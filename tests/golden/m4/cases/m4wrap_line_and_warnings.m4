m4wrap(`wrap at __file__:__line__ len(`a', `b')
')dnl
first
second
