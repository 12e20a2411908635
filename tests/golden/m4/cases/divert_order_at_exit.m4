divert(3)three
divert(1)one
divert(2)two
divert(0)zero
divert(10)ten
divert(0)end
