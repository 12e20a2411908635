define(`x', `a `quoted' body')dnl
dumpdef(`x', `len')dnl
