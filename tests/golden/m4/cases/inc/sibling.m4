sibling content (only reachable as inc/sibling.m4)
