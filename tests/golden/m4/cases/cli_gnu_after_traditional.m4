__gnu__ [format(`%d', 5)]
