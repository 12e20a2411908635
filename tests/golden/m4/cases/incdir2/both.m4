both from incdir2
