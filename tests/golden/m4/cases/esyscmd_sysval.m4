esyscmd(`echo partial; exit 5')sysval
esyscmd(`true')sysval
