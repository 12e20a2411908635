include(`inc/fuzz2_word_no_newline.m4')x
