b from incdir2
