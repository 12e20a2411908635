dumpdef(`len', `nosuch', `define', `')
