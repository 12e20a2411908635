start `of a string that
does not end in this file
