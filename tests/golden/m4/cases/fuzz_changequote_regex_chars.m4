changequote(|,|)len(a, b)
changequote(.,.)len(a, b)
changequote(*,*)len(a, b)
