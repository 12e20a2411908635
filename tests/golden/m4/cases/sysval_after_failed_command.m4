syscmd(`/nonexistent/command/xyz 2>/dev/null')sysval
syscmd(`exit 127')sysval
esyscmd(`exit 127')sysval
syscmd(`exit 126')sysval
