found through -I: __file__
