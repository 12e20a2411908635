second file __file__:__line__ shared
