dnl GNU allocates size_t(-1) hash buckets after reading the options: memory exhausted.
x
