[sinclude(`inc')]
after
