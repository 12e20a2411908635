traceon(`len')len(`a')
debugmode(`-')len(`b')
debugmode(`+')len(`c')
