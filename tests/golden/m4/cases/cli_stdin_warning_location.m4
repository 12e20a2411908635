then the file
