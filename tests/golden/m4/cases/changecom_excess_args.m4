changecom(`a', `b', `c')dnl
done
