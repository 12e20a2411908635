[empty] ifdef(`empty', `defined', `undefined')
