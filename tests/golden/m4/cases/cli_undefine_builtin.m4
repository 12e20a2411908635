len(`abc')
ifdef(`len', `defined', `gone')
