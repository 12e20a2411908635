define(`x', `X')dnl
# don't worry about ` this quote
x `still fine'
