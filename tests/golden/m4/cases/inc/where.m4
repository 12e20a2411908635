in __file__ at line __line__
second line __line__
