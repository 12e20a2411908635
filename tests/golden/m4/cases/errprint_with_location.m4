errprint(__program__:__file__:__line__`: custom error
')dnl
