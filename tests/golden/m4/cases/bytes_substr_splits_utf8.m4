substr(`é', 0, 1)|
substr(`é', 1)|
translit(`café', `é', `XY')
