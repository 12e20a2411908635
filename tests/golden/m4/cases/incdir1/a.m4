a from incdir1
