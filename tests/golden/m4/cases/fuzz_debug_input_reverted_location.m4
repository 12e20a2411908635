include(`inc/fuzz_two_lines.m4')x
