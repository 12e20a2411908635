define(`a', `aXXb')dnl
done
