define(`ab', `AB')m4wrap(`b')m4wrap(`a')
