[__gnu__(`x')]
[__file__(`x')]
[__line__(`x')]
