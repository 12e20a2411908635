changequote(<<, >>)dnl
define(<<x>>, <<X>>)dnl
<<x>> x <x> << <<x>> >>
<<unbalanced < inner>>
changequote(`{{', `}}')dnl
{{x}} {x} {{{x}}}
