define(`count', `ifelse(`$1', `xxxxxxxxxx', `done', `count(`$1x')')')dnl
count(`')
