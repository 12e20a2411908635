le
xy