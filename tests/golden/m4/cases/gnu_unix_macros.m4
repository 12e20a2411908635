__gnu__
[__gnu__]
[__unix__]
ifdef(`__unix__', `unix', `not unix')
ifdef(`__gnu__', `gnu', `not gnu')
ifdef(`__windows__', `windows', `not windows')
