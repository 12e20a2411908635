outer __file__:__line__
include(`inc/inner.m4')dnl
outer again __line__
