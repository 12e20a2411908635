__file__
__line__
__line__ __line__
define(`where', `__file__:__line__')dnl
where
`multi
line' __line__
