both from incdir1 (first wins)
