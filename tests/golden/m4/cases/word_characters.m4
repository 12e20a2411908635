define(`_a1', `ok1')define(`a_b_', `ok2')define(`A9', `ok3')dnl
_a1 a_b_ A9 9A _a1_
x.y x-y x:y _a1._a1
