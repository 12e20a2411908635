include
[include()]
[sinclude()]
