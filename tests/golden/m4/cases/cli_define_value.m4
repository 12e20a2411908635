name other
