[substr(`abc')]
substr
