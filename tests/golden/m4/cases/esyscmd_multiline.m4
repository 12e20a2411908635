esyscmd(`printf "a\nb\nc\n"')dnl
end
