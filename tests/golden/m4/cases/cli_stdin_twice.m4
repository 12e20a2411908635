then the file; the second - reads nothing
