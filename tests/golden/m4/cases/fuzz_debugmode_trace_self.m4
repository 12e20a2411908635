debugmode(`lt')x
