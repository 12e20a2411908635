then this file
