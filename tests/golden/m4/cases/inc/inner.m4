inner __file__:__line__
