define(`shared', `from first')dnl
first file __file__:__line__
