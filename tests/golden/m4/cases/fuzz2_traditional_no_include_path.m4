include(`fuzz2_only_in_inc.m4')
sinclude(`fuzz2_only_in_inc.m4')end
