rel: before
include(`sibling.m4')dnl
rel: after
