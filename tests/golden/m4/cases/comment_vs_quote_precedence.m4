changequote(`#', `#')dnl
#quoted?# x
changecom(`!')dnl
#quoted# x
