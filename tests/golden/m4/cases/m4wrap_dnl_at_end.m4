m4wrap(`text dnl no newline after this')dnl
main
