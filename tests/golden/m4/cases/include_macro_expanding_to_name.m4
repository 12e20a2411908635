define(`FILE', `inc/defs.m4')dnl
include(FILE)dnl
greet(`macro')
