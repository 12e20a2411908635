define(`me', ``me'')dnl
me and me
define(`twice', ``twice' twice')dnl
define(`twice', ``twice' `twice'')dnl
twice
